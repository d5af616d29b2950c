//! Open data under `/data/`: JSON of every disclosure, and an Open Contracting Data Standard 1.1
//! release package for notices and results; also the sitemap, robots.txt and opensearch.xml.
