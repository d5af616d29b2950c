-- A deadline that could not be counted because its count reached a year that calendar.toml does
-- not cover: the reason, shown to staff as a flag and to the submitter as 待定 (never a guessed
-- date). NULL when every deadline of the case was counted.
ALTER TABLE cases ADD COLUMN deadline_pending TEXT;
