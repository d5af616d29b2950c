//! `gen-corpus`: writes a large, realistic and deterministic content folder, for load tests and
//! benchmarks of `site-gen`, `search-server` and `intake`.
//!
//! ```text
//! cargo run --release -p bench --bin gen-corpus -- --n 100000 --out /tmp/corpus [--seed 1] [--force]
//! ```
//!
//! The output is a complete content folder: `site.toml`, `departments.toml` and `calendar.toml`
//! (copied at run time from `--site DIR`, the demo `content/` by default), and `--n` disclosures spread over the kinds roughly like a
//! real site (45% notices, 35% results, 8% penalties, 5% credit entries, 2% power-list entries,
//! 3% inspections, 2% complaint results), each folder split into subfolders of at most 1,000
//! files (`notices/000/…`). Notices and results are grouped into projects that pass through
//! 4–7 stages in an order and at intervals that respect the site's rules; a small fraction
//! breaks them (candidates not publicised, award too soon, contract late), as on a real site.
//!
//! Every unified social credit code carries a correct GB 32100 check character
//! (`disclosure::ident`, the product's own), complaint case numbers are intake's tracking numbers
//! (`intake::tracking`); personal ids are masked; no mobile or bank card numbers are written. The
//! same `--seed` and `--n` give byte-identical output: its own small PRNG (splitmix64), so the
//! bytes do not depend on another crate's random-number algorithm.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;
use std::{env, fs, io, process};

use intake::tracking::{CaseKind, TrackingNumber};

/// The site-wide files a content folder needs, copied from `--site`.
const SITE_FILES: [&str; 3] = ["site.toml", "departments.toml", "calendar.toml"];

const USAGE: &str =
    "usage: gen-corpus --n <COUNT> --out <DIR> [--seed <SEED>] [--site <DIR>] [--force]

  --n <COUNT>    number of disclosures to write (1 or more)
  --out <DIR>    content folder to create; must be empty or absent unless --force
  --seed <SEED>  PRNG seed, default 1; the same seed and count give the same bytes
  --site <DIR>   content folder whose site.toml, departments.toml and calendar.toml are
                 copied, default content (the demo, from the workspace root)
  --force        replace the files and folders a previous run wrote in <DIR>";

/// Folders this tool writes, one per kind, in the order of `KIND_SHARES`.
const FOLDERS: [&str; 7] = [
    "notices",
    "results",
    "penalties",
    "credit",
    "powers",
    "inspections",
    "complaint-results",
];

/// Share of each kind in percent, matching `FOLDERS`. The rounding remainder goes to notices.
const KIND_SHARES: [usize; 7] = [45, 35, 8, 5, 2, 3, 2];

/// Dates are spread over this window (inclusive).
const FIRST_DAY: (i32, u32, u32) = (2019, 1, 2);
const LAST_DAY: (i32, u32, u32) = (2026, 11, 20);

fn main() {
    let args = match parse_args(env::args().skip(1).collect()) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return;
        }
        Err(msg) => {
            eprintln!(
                "gen-corpus: error: {msg}\n{}\n(run with --help for details)",
                USAGE.lines().next().unwrap_or("")
            );
            process::exit(2);
        }
    };
    let started = Instant::now();
    match run(&args) {
        Ok(stats) => println!(
            "gen-corpus: wrote {} files ({} disclosures, {} projects) to {} in {:.2} s",
            stats.files,
            stats.disclosures,
            stats.projects,
            args.out.display(),
            started.elapsed().as_secs_f64()
        ),
        Err(e) => {
            eprintln!("gen-corpus: error: {e}");
            process::exit(1);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Arguments

struct Args {
    n: usize,
    out: PathBuf,
    seed: u64,
    site: PathBuf,
    force: bool,
}

/// `Ok(None)` means `--help` was asked for.
fn parse_args(argv: Vec<String>) -> Result<Option<Args>, String> {
    let (mut n, mut out, mut seed, mut force) = (None, None, 1u64, false);
    let mut site = PathBuf::from("content");
    let mut it = argv.into_iter();
    while let Some(arg) = it.next() {
        // Accept both `--flag value` and `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--n" => {
                let v = value("--n")?;
                match v.parse::<usize>() {
                    Ok(k) if k > 0 => n = Some(k),
                    _ => return Err(format!("--n expects a positive whole number, got '{v}'")),
                }
            }
            "--out" => {
                let v = value("--out")?;
                if v.is_empty() {
                    return Err("--out expects a folder path, got an empty string".into());
                }
                out = Some(PathBuf::from(v));
            }
            "--seed" => {
                let v = value("--seed")?;
                seed = v
                    .parse()
                    .map_err(|_| format!("--seed expects a whole number, got '{v}'"))?;
            }
            "--site" => site = PathBuf::from(value("--site")?),
            "--force" => {
                if inline.is_some() {
                    return Err("--force takes no value".into());
                }
                force = true;
            }
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    let n = n.ok_or("--n is required")?;
    let out = out.ok_or("--out is required")?;
    Ok(Some(Args {
        n,
        out,
        seed,
        site,
        force,
    }))
}

// ---------------------------------------------------------------------------------------------
// Randomness and dates

/// splitmix64: tiny, fast, and good enough for synthetic text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        (((self.next() >> 11) as u128 * n as u128) >> 53) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    /// `k` distinct items, in list order.
    fn some<'a, T>(&mut self, xs: &'a [T], k: usize) -> Vec<&'a T> {
        let mut chosen = vec![false; xs.len()];
        let mut left = k.min(xs.len());
        while left > 0 {
            let i = self.below(xs.len() as u64) as usize;
            if !chosen[i] {
                chosen[i] = true;
                left -= 1;
            }
        }
        xs.iter()
            .zip(chosen)
            .filter(|(_, c)| *c)
            .map(|(x, _)| x)
            .collect()
    }
}

/// A calendar day, as days since 1970-01-01.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Date(i64);

impl Date {
    fn ymd(y: i32, m: u32, d: u32) -> Date {
        // Howard Hinnant's days_from_civil.
        let y = if m <= 2 { y - 1 } else { y } as i64;
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m as i64 + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Date(era * 146_097 + doe - 719_468)
    }

    fn parts(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = (yoe + era * 400 + if m <= 2 { 1 } else { 0 }) as i32;
        (y, m, d)
    }

    fn year(self) -> i32 {
        self.parts().0
    }

    /// 0 = Monday … 6 = Sunday.
    fn weekday(self) -> i64 {
        (self.0 + 3).rem_euclid(7)
    }

    fn add(self, days: i64) -> Date {
        Date(self.0 + days)
    }

    /// The same day, or the next Monday when it falls on a weekend.
    fn working(self) -> Date {
        match self.weekday() {
            5 => self.add(2),
            6 => self.add(1),
            _ => self,
        }
    }

    /// `2026-03-10`, a TOML local date.
    fn iso(self) -> String {
        let (y, m, d) = self.parts();
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// `2026年3月10日`, as written in notices.
    fn cn(self) -> String {
        let (y, m, d) = self.parts();
        format!("{y}年{m}月{d}日")
    }
}

fn first_day() -> Date {
    Date::ymd(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2)
}

fn last_day() -> Date {
    Date::ymd(LAST_DAY.0, LAST_DAY.1, LAST_DAY.2)
}

fn random_day(rng: &mut Rng, from: Date, to: Date) -> Date {
    Date(rng.range(from.0, to.0)).working().min(to)
}

// ---------------------------------------------------------------------------------------------
// Identifiers

/// The alphabet of unified social credit codes, to draw a code's free characters from.
const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A company code: `91` + area + `MA` + seven characters + check. The letters keep it from
/// ever looking like a citizen id or a card number.
fn company_code(rng: &mut Rng, area: &str) -> String {
    let mut s = format!("91{area}MA");
    for _ in 0..7 {
        s.push(*rng.pick(USCC_CHARS) as char);
    }
    let check = disclosure::ident::uscc_check_char(&s).expect("drawn from the code's alphabet");
    s.push(check);
    s
}

/// A masked citizen id as published for natural persons: `410402********1234`.
fn masked_person_id(rng: &mut Rng, area: &str) -> String {
    let tail = rng.range(0, 999);
    let last = if rng.chance(9) {
        "X".to_string()
    } else {
        rng.range(0, 9).to_string()
    };
    format!("{area}********{tail:03}{last}")
}

/// Money is kept in 分 and written as `12345678.90`.
fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// `8640` or `8640.5`, in 万元.
fn wan(fen: i64) -> String {
    let hundredths = fen / 10_000; // 1 万元 = 1,000,000 分
    if hundredths % 100 == 0 {
        format!("{}", hundredths / 100)
    } else {
        format!("{}.{:02}", hundredths / 100, hundredths % 100)
    }
}

/// A TOML basic string.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------------------------
// Word lists

/// Districts and counties of 平顶山市 with their administrative codes and a few towns each.
const PLACES: &[(&str, &str, &[&str])] = &[
    (
        "新华区",
        "410402",
        &["西高皇街道", "曙光街街道", "焦店镇", "滍阳镇", "香山街道"],
    ),
    (
        "卫东区",
        "410403",
        &[
            "东高皇街道",
            "蒲城店街道",
            "东安路街道",
            "北环路街道",
            "光华路街道",
        ],
    ),
    (
        "石龙区",
        "410404",
        &["高庄街道", "龙兴街道", "人民路街道", "龙河街道"],
    ),
    (
        "湛河区",
        "410411",
        &["曹镇乡", "北渡街道", "高阳路街道", "河滨街道", "轻工路街道"],
    ),
    (
        "宝丰县",
        "410421",
        &["杨庄镇", "赵庄镇", "石桥镇", "商酒务镇", "周庄镇", "闹店镇"],
    ),
    (
        "叶县",
        "410422",
        &["龚店镇", "辛店镇", "仙台镇", "任店镇", "保安镇", "廉村镇"],
    ),
    (
        "鲁山县",
        "410423",
        &["张官营镇", "梁洼镇", "辛集乡", "马楼乡", "张良镇", "瀼河乡"],
    ),
    (
        "郏县",
        "410425",
        &["薛店镇", "冢头镇", "姚庄乡", "安良镇", "黄道镇", "茨芭镇"],
    ),
    (
        "舞钢市",
        "410481",
        &["尚店镇", "八台镇", "尹集镇", "武功乡", "杨庄乡", "庙街乡"],
    ),
    (
        "汝州市",
        "410482",
        &["蟒川镇", "临汝镇", "寄料镇", "温泉镇", "小屯镇", "杨楼镇"],
    ),
];

const CITY: &str = "平顶山市";
const CITY_AREA: &str = "410400";

#[rustfmt::skip]
const BRANDS: &[&str] = &[
    "鹰城", "天成", "宏达", "中原", "恒泰", "瑞丰", "鑫源", "华宇", "安顺", "金鼎", "博远", "正通",
    "昊天", "永盛", "嘉诚", "远航", "伟业", "东方", "广厦", "宏图", "顺达", "泰和", "聚德", "隆昌",
    "汇通", "丰泽", "润华", "信诚", "众邦", "卓越", "腾飞", "盛世", "昌盛", "兴业", "凯旋", "明阳",
    "华庭", "锦程", "鼎盛", "宏源", "同创", "亿达", "长兴", "方圆", "祥和", "三峰", "石龙", "湛河",
    "应河", "尧山", "凤鸣", "新峰", "鲁阳", "昆阳", "龙山", "北汝", "白龟", "钢城", "蓝湾", "恒信",
];

#[rustfmt::skip]
const BUILDER_SUFFIX: &[&str] = &[
    "建设工程有限公司", "建筑安装有限公司", "建设集团有限公司", "建筑工程有限公司",
    "市政工程有限公司",
];
#[rustfmt::skip]
const ROAD_SUFFIX: &[&str] = &[
    "路桥工程有限公司", "交通工程有限公司", "路桥建设有限公司", "公路工程有限公司",
];
#[rustfmt::skip]
const WATER_SUFFIX: &[&str] = &[
    "水利工程有限公司", "水利水电工程有限公司", "水利建设有限公司",
];
#[rustfmt::skip]
const GOODS_SUFFIX: &[&str] = &[
    "信息技术有限公司", "办公设备有限公司", "医疗器械有限公司", "电子科技有限公司",
    "教学设备有限公司", "商贸有限公司",
];
#[rustfmt::skip]
const SERVICE_SUFFIX: &[&str] = &[
    "物业服务有限公司", "环境服务有限公司", "餐饮管理有限公司", "保安服务有限公司",
    "园林绿化工程有限公司",
];
const DEVELOPER_SUFFIX: &[&str] = &["置业有限公司", "房地产开发有限公司", "实业有限公司"];
const MINING_SUFFIX: &[&str] = &["建材有限公司", "矿业有限公司", "砂石有限公司"];
#[rustfmt::skip]
const INVESTOR_SUFFIX: &[&str] = &[
    "投资有限公司", "运输有限公司", "实业有限公司", "商贸有限公司",
];
#[rustfmt::skip]
const OPERATOR_SUFFIX: &[&str] = &[
    "停车管理有限公司", "文化传媒有限公司", "智慧城市科技有限公司",
];
#[rustfmt::skip]
const AGENCY_SUFFIX: &[&str] = &[
    "招标代理有限公司", "工程项目管理有限公司", "工程造价咨询有限公司",
];

const FACILITIES: &[(&str, &str)] = &[
    ("第一实验小学教学楼", "教育体育局"),
    ("第二实验小学综合楼", "教育体育局"),
    ("实验中学学生公寓", "教育体育局"),
    ("第三中学风雨操场", "教育体育局"),
    ("中心幼儿园", "教育体育局"),
    ("人民医院门诊医技楼", "卫生健康委员会"),
    ("中医院住院楼", "卫生健康委员会"),
    ("妇幼保健院业务用房", "卫生健康委员会"),
    ("疾病预防控制中心实验楼", "卫生健康委员会"),
    ("全民健身中心", "文化广电和旅游局"),
    ("文化馆及图书馆", "文化广电和旅游局"),
    ("养老服务中心", "民政局"),
    ("公共租赁住房", "住房和城乡建设局"),
    ("城镇老旧小区改造", "住房和城乡建设局"),
    ("污水处理厂配套管网", "住房和城乡建设局"),
    ("农贸市场", "商务局"),
    ("消防救援站", "应急管理局"),
    ("社区综合服务中心", "民政局"),
];

#[rustfmt::skip]
const STREETS: &[&str] = &[
    "建设路", "中兴路", "光明路", "开源路", "新华路", "矿工路", "凌云路", "湛河北路", "南环路",
    "东环路", "体育路", "优越路", "劳动路", "长安大道", "平安大道", "神马大道", "园林路", "和平路",
    "联盟路", "姚孟路",
];

#[rustfmt::skip]
const RIVERS: &[&str] = &[
    "沙河", "北汝河", "湛河", "澧河", "灰河", "甘江河", "蓝河", "应河", "净肠河", "石河",
];

#[rustfmt::skip]
const GOODS: &[&str] = &[
    "办公设备", "教学设备", "医疗设备", "信息化设备", "安防监控设备", "图书", "学生课桌椅",
    "实验室仪器", "环卫车辆", "消防装备", "网络安全设备", "多媒体会议系统",
];
#[rustfmt::skip]
const SERVICES: &[&str] = &[
    "物业管理服务", "保洁服务", "食堂餐饮服务", "财务审计服务", "法律顾问服务", "安保服务",
    "绿化养护服务", "网络运维服务", "公务车辆维修保养服务", "印刷服务", "医疗废物处置服务",
];
#[rustfmt::skip]
const PURCHASERS: &[&str] = &[
    "教育局", "卫生健康委员会", "公安局", "城市管理局", "生态环境局", "市场监督管理局",
    "人力资源和社会保障局", "机关事务管理局", "第一人民医院", "第二人民医院", "中医医院",
    "第一高级中学", "职业技术学院", "档案馆",
];
#[rustfmt::skip]
const MINERALS: &[&str] = &[
    "建筑石料用灰岩", "水泥用灰岩", "建筑用砂", "饰面用花岗岩", "耐火粘土", "建筑用白云岩",
];
#[rustfmt::skip]
const VILLAGES: &[&str] = &[
    "黄庄", "王沟", "李寨", "杨村", "马岭", "石门", "刘庄", "张湾", "大营", "孙岗",
];
const LAND_USES: &[(&str, u32)] = &[
    ("城镇住宅用地", 70),
    ("商务金融用地", 40),
    ("工业用地", 50),
    ("零售商业用地", 40),
];
#[rustfmt::skip]
const STATE_OWNERS: &[&str] = &[
    "平顶山市国有资产经营有限公司", "平顶山市城市建设投资开发有限公司",
    "平顶山市发展投资控股集团有限公司", "平顶山市交通投资有限公司", "平顶山市文化旅游投资有限公司",
];
#[rustfmt::skip]
const EQUITY_TARGETS: &[&str] = &[
    "客运", "物流", "供热", "建材", "酒店管理", "物业服务", "水务", "燃气工程",
];
const FRANCHISES: &[&str] = &[
    "路内公共停车泊位特许经营权",
    "公交候车亭广告经营权",
    "户外大型广告位经营权",
    "城市公园游乐设施经营权",
    "农贸市场经营管理权",
    "共享电动自行车运营服务",
];
#[rustfmt::skip]
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
];

// ---------------------------------------------------------------------------------------------
// Trading families: what kind of project, which category, department and vocabulary

#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Building,
    Road,
    Water,
    Goods,
    Service,
    Land,
    Mining,
    Equity,
    Franchise,
}

/// Relative weights of the families among projects.
const FAMILY_WEIGHTS: &[(Family, u64)] = &[
    (Family::Building, 30),
    (Family::Road, 10),
    (Family::Water, 8),
    (Family::Goods, 18),
    (Family::Service, 12),
    (Family::Land, 9),
    (Family::Mining, 3),
    (Family::Equity, 6),
    (Family::Franchise, 4),
];

impl Family {
    fn category(self) -> &'static str {
        match self {
            Family::Building | Family::Road | Family::Water => "construction",
            Family::Goods | Family::Service => "procurement",
            Family::Land => "land",
            Family::Mining => "mining",
            Family::Equity => "assets",
            Family::Franchise => "other",
        }
    }

    fn department(self) -> &'static str {
        match self {
            Family::Building => "zjj",
            Family::Road => "jtj",
            Family::Water => "slj",
            Family::Goods | Family::Service => "czj",
            Family::Land | Family::Mining => "zrzy",
            Family::Equity => "gzw",
            Family::Franchise => "gongguan",
        }
    }

    fn department_name(self) -> &'static str {
        match self.department() {
            "zjj" => "平顶山市住房和城乡建设局",
            "jtj" => "平顶山市交通运输局",
            "slj" => "平顶山市水利局",
            "czj" => "平顶山市财政局",
            "zrzy" => "平顶山市自然资源和规划局",
            "gzw" => "平顶山市人民政府国有资产监督管理委员会",
            _ => "平顶山市公共资源交易管理委员会办公室",
        }
    }

    /// The department that publishes the approval stage.
    fn approval_department(self) -> &'static str {
        match self {
            Family::Building | Family::Road | Family::Water | Family::Franchise => "fzgg",
            other => other.department(),
        }
    }

    /// The code letters in project codes: `PDSZJ-2026-0012`.
    fn code(self) -> &'static str {
        match self {
            Family::Building => "ZJ",
            Family::Road => "JT",
            Family::Water => "SL",
            Family::Goods | Family::Service => "CG",
            Family::Land => "TD",
            Family::Mining => "KQ",
            Family::Equity => "CQ",
            Family::Franchise => "QT",
        }
    }

    fn pool(self) -> usize {
        match self {
            Family::Building => 0,
            Family::Road => 1,
            Family::Water => 2,
            Family::Goods => 3,
            Family::Service => 4,
            Family::Land => 5,
            Family::Mining => 6,
            Family::Equity => 7,
            Family::Franchise => 8,
        }
    }

    fn is_construction(self) -> bool {
        self.category() == "construction"
    }

    fn is_procurement(self) -> bool {
        self.category() == "procurement"
    }

    /// Who takes part: 投标人, 供应商, 竞买人 …
    fn bidder_word(self) -> &'static str {
        match self {
            Family::Goods | Family::Service => "供应商",
            Family::Land | Family::Mining => "竞买人",
            Family::Equity => "意向受让方",
            _ => "投标人",
        }
    }

    fn owner_word(self) -> &'static str {
        match self {
            Family::Goods | Family::Service => "采购人",
            Family::Land | Family::Mining | Family::Franchise => "出让人",
            Family::Equity => "转让方",
            _ => "招标人",
        }
    }

    fn winner_word(self) -> &'static str {
        match self {
            Family::Goods | Family::Service => "中标供应商",
            Family::Land | Family::Mining => "竞得人",
            Family::Equity => "受让方",
            _ => "中标人",
        }
    }

    fn price_word(self) -> &'static str {
        match self {
            Family::Land | Family::Mining | Family::Equity => "成交价",
            Family::Goods | Family::Service => "中标金额",
            _ => "中标价",
        }
    }

    // The `*` is needed for inference, whatever clippy's explicit_auto_deref says.
    #[allow(clippy::explicit_auto_deref)]
    fn stage_title(self, stage: Stage, rng: &mut Rng) -> &'static str {
        use Stage::*;
        match (self.category(), stage) {
            ("construction", Approval) => "审批核准信息公开",
            ("construction", Tender) => *rng.pick(&["招标公告", "公开招标公告"]),
            ("construction", Change) => {
                *rng.pick(&["招标澄清与变更公告", "答疑补遗公告", "招标文件澄清公告"])
            }
            ("construction", Opening) => *rng.pick(&["开标记录", "开标记录表"]),
            ("construction", Candidates) => *rng.pick(&["中标候选人公示", "评标结果公示"]),
            ("construction", Award) => *rng.pick(&["中标结果公告", "中标公告"]),
            ("construction", Contract) => *rng.pick(&["合同订立情况公示", "合同签订公示"]),
            ("construction", Termination) => *rng.pick(&["招标失败公告", "终止招标公告"]),
            ("procurement", Approval) => "政府采购意向公开",
            ("procurement", Tender) => *rng.pick(&["公开招标公告", "竞争性磋商公告", "招标公告"]),
            ("procurement", Change) => *rng.pick(&["更正公告", "澄清公告"]),
            ("procurement", Opening) => *rng.pick(&["开标一览表", "开标记录"]),
            ("procurement", Candidates) => "评审结果公示",
            ("procurement", Award) => {
                *rng.pick(&["中标结果公告", "成交结果公告", "中标（成交）结果公告"])
            }
            ("procurement", Contract) => "政府采购合同公告",
            ("procurement", Termination) => *rng.pick(&["废标公告", "终止公告"]),
            ("land" | "mining", Approval) => "出让方案批复公开",
            ("land" | "mining", Tender) => "挂牌出让公告",
            ("land" | "mining", Change) => "挂牌出让补充公告",
            ("land" | "mining", Opening) => "挂牌出让现场竞价记录",
            ("land" | "mining", Candidates) => "拟竞得人公示",
            ("land" | "mining", Award) => "挂牌出让结果公告",
            ("land" | "mining", Contract) => "出让合同签订公示",
            ("land" | "mining", Termination) => "终止挂牌出让公告",
            ("assets", Approval) => "转让批复信息公开",
            ("assets", Tender) => "信息披露公告",
            ("assets", Change) => "信息披露变更公告",
            ("assets", Opening) => "网络竞价记录",
            ("assets", Candidates) => "受让方公示",
            ("assets", Award) => "成交公告",
            ("assets", Contract) => "产权交易合同签订公告",
            ("assets", Termination) => "终结挂牌公告",
            (_, Approval) => "实施方案批复公开",
            (_, Tender) => "出让公告",
            (_, Change) => "补充公告",
            (_, Opening) => "开标记录",
            (_, Candidates) => "评审结果公示",
            (_, Award) => "出让结果公告",
            (_, Contract) => "特许经营协议签订公示",
            (_, Termination) => "终止公告",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Approval,
    Tender,
    Change,
    Opening,
    Candidates,
    Award,
    Contract,
    Termination,
}

impl Stage {
    fn key(self) -> &'static str {
        match self {
            Stage::Approval => "approval",
            Stage::Tender => "tender",
            Stage::Change => "change",
            Stage::Opening => "opening",
            Stage::Candidates => "candidates",
            Stage::Award => "award",
            Stage::Contract => "contract",
            Stage::Termination => "termination",
        }
    }

    fn is_result(self) -> bool {
        matches!(self, Stage::Candidates | Stage::Award | Stage::Contract)
    }
}

// ---------------------------------------------------------------------------------------------
// Companies

#[derive(Clone)]
struct Company {
    name: String,
    code: String,
}

/// Company pools, one per family plus one of tender agencies. Names are unique across pools,
/// and a company keeps its code everywhere it appears.
struct Companies {
    pools: Vec<Vec<Company>>,
    agencies: Vec<Company>,
}

impl Companies {
    fn new(rng: &mut Rng, n: usize) -> Companies {
        let per_pool = (n / 120).clamp(24, 600);
        let mut seen = HashSet::new();
        let suffixes: [&[&str]; 9] = [
            BUILDER_SUFFIX,
            ROAD_SUFFIX,
            WATER_SUFFIX,
            GOODS_SUFFIX,
            SERVICE_SUFFIX,
            DEVELOPER_SUFFIX,
            MINING_SUFFIX,
            INVESTOR_SUFFIX,
            OPERATOR_SUFFIX,
        ];
        let pools = suffixes
            .iter()
            .map(|s| {
                (0..per_pool)
                    .map(|_| Self::make(rng, s, &mut seen))
                    .collect()
            })
            .collect();
        let agencies = (0..(per_pool / 3).max(8))
            .map(|_| Self::make(rng, AGENCY_SUFFIX, &mut seen))
            .collect();
        Companies { pools, agencies }
    }

    fn make(rng: &mut Rng, suffixes: &[&str], seen: &mut HashSet<String>) -> Company {
        loop {
            let (place, area) = match rng.below(10) {
                0..=4 => (CITY.to_string(), CITY_AREA.to_string()),
                5 | 6 => ("河南".to_string(), "410100".to_string()),
                _ => {
                    let p = rng.pick(&PLACES[4..]);
                    (p.0.to_string(), p.1.to_string())
                }
            };
            let brand = if rng.chance(70) {
                rng.pick(BRANDS).to_string()
            } else {
                format!("{}{}", &rng.pick(BRANDS)[..3], &rng.pick(BRANDS)[3..])
            };
            let name = format!("{place}{brand}{}", rng.pick(suffixes));
            if seen.insert(name.clone()) {
                let code = company_code(rng, &area);
                return Company { name, code };
            }
        }
    }

    /// `k` distinct companies from a family's pool.
    fn sample(&self, rng: &mut Rng, family: Family, k: usize) -> Vec<Company> {
        let pool = &self.pools[family.pool()];
        let mut picked: Vec<usize> = Vec::with_capacity(k);
        while picked.len() < k.min(pool.len()) {
            let i = rng.below(pool.len() as u64) as usize;
            if !picked.contains(&i) {
                picked.push(i);
            }
        }
        picked.into_iter().map(|i| pool[i].clone()).collect()
    }

    /// A company of the kind a department supervises.
    fn for_department(&self, rng: &mut Rng, department: &str) -> Company {
        let family = match department {
            "zjj" => Family::Building,
            "jtj" => Family::Road,
            "slj" => Family::Water,
            "czj" => *rng.pick(&[Family::Goods, Family::Service]),
            "zrzy" => *rng.pick(&[Family::Land, Family::Mining]),
            "gzw" => Family::Equity,
            _ => *rng.pick(&[
                Family::Building,
                Family::Goods,
                Family::Service,
                Family::Franchise,
            ]),
        };
        rng.pick(&self.pools[family.pool()]).clone()
    }
}

// ---------------------------------------------------------------------------------------------
// Output

struct Out {
    root: PathBuf,
    /// Files written per kind folder, to split them into subfolders of 1,000.
    counts: [usize; 7],
    files: usize,
}

impl Out {
    fn write(&mut self, kind: usize, id: &str, text: &str) -> io::Result<()> {
        let n = self.counts[kind];
        let dir = self
            .root
            .join(FOLDERS[kind])
            .join(format!("{:03}", n / 1000));
        if n.is_multiple_of(1000) {
            fs::create_dir_all(&dir)?;
        }
        fs::write(dir.join(format!("{id}.md")), text)?;
        self.counts[kind] += 1;
        self.files += 1;
        Ok(())
    }
}

/// Front matter + body, assembled line by line.
struct Doc {
    head: String,
    body: String,
}

impl Doc {
    fn new(kind: &str, title: &str, date: Date, department: &str, region: Option<&str>) -> Doc {
        let mut head = String::new();
        let _ = writeln!(head, "kind = {}", q(kind));
        let _ = writeln!(head, "title = {}", q(title));
        let _ = writeln!(head, "date = {}", date.iso());
        let _ = writeln!(head, "department = {}", q(department));
        if let Some(region) = region {
            let _ = writeln!(head, "region = {}", q(region));
        }
        Doc {
            head,
            body: String::new(),
        }
    }

    fn field(&mut self, key: &str, value: &str) {
        let _ = writeln!(self.head, "{key} = {}", q(value));
    }

    fn raw(&mut self, key: &str, value: &str) {
        let _ = writeln!(self.head, "{key} = {value}");
    }

    fn list(&mut self, key: &str, values: &[String]) {
        let items: Vec<String> = values.iter().map(|v| q(v)).collect();
        let _ = writeln!(self.head, "{key} = [{}]", items.join(", "));
    }

    fn text(&mut self) -> String {
        format!("+++\n{}+++\n{}", self.head, self.body)
    }
}

// ---------------------------------------------------------------------------------------------
// The run

struct Stats {
    files: usize,
    disclosures: usize,
    projects: usize,
}

fn run(args: &Args) -> io::Result<Stats> {
    // Read the site-wide files before touching the output, so a wrong `--site` changes nothing.
    let site_files = SITE_FILES
        .iter()
        .map(|name| {
            let path = args.site.join(name);
            fs::read(&path).map(|bytes| (*name, bytes)).map_err(|e| {
                io::Error::new(e.kind(), format!("{}: {e} (see --site)", path.display()))
            })
        })
        .collect::<io::Result<Vec<_>>>()?;
    prepare_out(&args.out, args.force)?;
    for (name, bytes) in site_files {
        fs::write(args.out.join(name), bytes)?;
    }

    // Exact quotas per kind.
    let mut quota = KIND_SHARES.map(|p| args.n * p / 100);
    quota[0] += args.n - quota.iter().sum::<usize>();

    let mut rng = Rng(args.seed ^ 0x5EED_C0DE_F00D);
    let companies = Companies::new(&mut rng, args.n);
    let mut out = Out {
        root: args.out.clone(),
        counts: [0; 7],
        files: 3,
    };
    let mut ctx = Context {
        rng,
        companies,
        project_seq: Vec::new(),
        project_codes: Vec::new(),
    };

    let (mut left_notices, mut left_results) = (quota[0], quota[1]);
    let ratio_num = quota[0].max(1) as u64; // notices : results, to steer project shapes
    let ratio_den = quota[1].max(1) as u64;
    while left_notices + left_results > 0 {
        let notice_heavy = left_results == 0
            || (left_notices > 0
                && left_notices as u64 * ratio_den > left_results as u64 * ratio_num);
        write_project(
            &mut ctx,
            &mut out,
            notice_heavy,
            &mut left_notices,
            &mut left_results,
        )?;
    }
    for _ in 0..quota[2] {
        write_penalty(&mut ctx, &mut out)?;
    }
    for _ in 0..quota[3] {
        write_credit(&mut ctx, &mut out)?;
    }
    for i in 0..quota[4] {
        write_power(&mut ctx, &mut out, i)?;
    }
    for _ in 0..quota[5] {
        write_inspection(&mut ctx, &mut out)?;
    }
    for i in 0..quota[6] {
        write_complaint_result(&mut ctx, &mut out, i)?;
    }
    Ok(Stats {
        files: out.files,
        disclosures: out.files - 3,
        projects: ctx.project_codes.len(),
    })
}

/// Creates `out`, refusing to mix with earlier files unless `--force`, which removes only what
/// this tool writes.
fn prepare_out(out: &Path, force: bool) -> io::Result<()> {
    if out.exists() {
        let non_empty = fs::read_dir(out)?.next().is_some();
        if non_empty && !force {
            return Err(io::Error::other(format!(
                "--out {} is not empty; pass --force to replace a previous corpus",
                out.display()
            )));
        }
        if force {
            for f in FOLDERS {
                let p = out.join(f);
                if p.exists() {
                    fs::remove_dir_all(p)?;
                }
            }
        }
    }
    fs::create_dir_all(out)
}

struct Context {
    rng: Rng,
    companies: Companies,
    /// Next sequence number per (family code, year), for project codes.
    project_seq: Vec<(String, i32, u32)>,
    /// Every project written: code, family and region, for complaint results to refer to.
    project_codes: Vec<(String, Family, &'static str)>,
}

impl Context {
    fn next_project_code(&mut self, family: Family, year: i32) -> String {
        let key = family.code();
        let seq = match self
            .project_seq
            .iter_mut()
            .find(|(k, y, _)| k == key && *y == year)
        {
            Some(entry) => {
                entry.2 += 1;
                entry.2
            }
            None => {
                self.project_seq.push((key.to_string(), year, 1));
                1
            }
        };
        format!("PDS{key}-{year}-{seq:04}")
    }
}

// ---------------------------------------------------------------------------------------------
// Projects

/// Everything the stages of one project share.
struct Project {
    family: Family,
    code: String,
    id_prefix: String,
    region: &'static str,
    /// The project's name, e.g. `叶县县道X021龚店至辛店段改建工程施工`.
    name: String,
    owner: String,
    agency: Company,
    budget: i64,
    days: i64,
    scope: String,
    requirement: String,
    phone: String,
}

fn pick_family(rng: &mut Rng) -> Family {
    let total: u64 = FAMILY_WEIGHTS.iter().map(|(_, w)| w).sum();
    let mut r = rng.below(total);
    for &(f, w) in FAMILY_WEIGHTS {
        if r < w {
            return f;
        }
        r -= w;
    }
    Family::Building
}

fn new_project(ctx: &mut Context, family: Family, start: Date) -> Project {
    let rng = &mut ctx.rng;
    let (mut region, _, towns) = *rng.pick(PLACES);
    let town = *rng.pick(towns);
    // City-level buyers and owners sit in one of the four urban districts.
    let urban = |rng: &mut Rng| rng.pick(&PLACES[..4]).0;
    let year = start.year();
    let (name, owner, budget, days, scope, requirement) = match family {
        Family::Building => {
            let (facility, owner) = *rng.pick(FACILITIES);
            let phase = if facility.contains("老旧小区") {
                format!("（{}期）", rng.pick(&["一", "二", "三"]))
            } else {
                String::new()
            };
            let work = rng.pick(&["新建工程", "改扩建工程", "维修改造工程", "建设工程"]);
            let subject = if rng.chance(88) { "施工" } else { "监理" };
            let area = rng.range(30, 260) * 100;
            (
                format!("{region}{facility}{phase}{work}{subject}"),
                format!("{region}{owner}"),
                rng.range(2_000_000, 80_000_000) * 100,
                rng.range(12, 60) * 10,
                format!(
                    "总建筑面积约{area}平方米，包括土建、装饰装修、给排水、电气、暖通、消防、智能化及室外配套工程"
                ),
                format!(
                    "具备建筑工程施工总承包{}级及以上资质和有效的安全生产许可证；项目负责人具备建筑工程专业二级及以上注册建造师执业资格，且无在建项目",
                    rng.pick(&["二", "三"])
                ),
            )
        }
        Family::Road => {
            let to = *rng.pick(towns);
            let road = match rng.below(3) {
                _ if region.ends_with('区') => rng.pick(STREETS).to_string(),
                0 => format!("县道X{:03}", rng.range(1, 60)),
                1 => format!("乡道Y{:03}", rng.range(1, 300)),
                _ => format!("省道S{}", rng.range(220, 250)),
            };
            let len = rng.range(15, 180);
            (
                format!(
                    "{region}{road}{}至{}段{}工程施工",
                    town.trim_end_matches(['镇', '乡']).trim_end_matches("街道"),
                    to.trim_end_matches(['镇', '乡']).trim_end_matches("街道"),
                    rng.pick(&["改建", "大修", "提升改造", "路面改造"])
                ),
                format!("{region}交通运输局"),
                rng.range(1_500_000, 60_000_000) * 100,
                rng.range(6, 30) * 10,
                format!(
                    "路线全长约{}.{}公里，主要包括路基、路面、桥涵、排水及交通安全设施工程",
                    len / 10,
                    len % 10
                ),
                "具备公路工程施工总承包三级及以上资质；项目经理具备公路工程专业二级及以上注册建造师资格".to_string(),
            )
        }
        Family::Water => {
            let river = *rng.pick(RIVERS);
            let work = rng.pick(&[
                "河道综合治理",
                "堤防加固",
                "生态修复",
                "灌区续建配套与节水改造",
            ]);
            let len = rng.range(12, 120);
            (
                format!("{region}{river}{town}段{work}工程施工"),
                format!("{region}水利局"),
                rng.range(1_000_000, 40_000_000) * 100,
                rng.range(9, 24) * 10,
                format!(
                    "治理河道长度约{}.{}公里，包括堤防加固、护岸、穿堤建筑物改造及防汛道路",
                    len / 10,
                    len % 10
                ),
                "具备水利水电工程施工总承包三级及以上资质；项目负责人为水利水电工程专业注册建造师，并持有安全生产考核合格证书".to_string(),
            )
        }
        Family::Goods => {
            let buyer = if rng.chance(60) {
                region = urban(rng);
                format!("{CITY}{}", rng.pick(PURCHASERS))
            } else {
                format!(
                    "{region}{}",
                    rng.pick(&["教育体育局", "人民医院", "城市管理局", "公安局"])
                )
            };
            let goods = *rng.pick(GOODS);
            (
                format!("{buyer}{goods}采购项目"),
                buyer,
                rng.range(200_000, 8_000_000) * 100,
                rng.range(2, 9) * 10,
                format!("{goods}的供货、运输、安装调试、培训及不少于{}年的免费质保", rng.range(1, 5)),
                "满足《中华人民共和国政府采购法》第二十二条规定，未被列入失信被执行人、重大税收违法失信主体、政府采购严重违法失信行为记录名单".to_string(),
            )
        }
        Family::Service => {
            region = urban(rng);
            let buyer = format!("{CITY}{}", rng.pick(PURCHASERS));
            let service = *rng.pick(SERVICES);
            (
                format!("{buyer}{year}年度{service}采购项目"),
                buyer,
                rng.range(100_000, 5_000_000) * 100,
                365,
                format!("{service}，服务期一年，考核合格可续签，累计不超过三年"),
                "满足《中华人民共和国政府采购法》第二十二条规定，提供近六个月内依法缴纳税收和社会保障资金的证明材料".to_string(),
            )
        }
        Family::Land => {
            let (land_use, years) = *rng.pick(LAND_USES);
            let area = rng.range(5_000, 120_000);
            let parcel = format!("PDS-{year}-{:02}", rng.range(1, 60));
            (
                format!("{region}{parcel}号地块国有建设用地使用权"),
                format!("{CITY}自然资源和规划局"),
                rng.range(5_000_000, 300_000_000) / 100 * 100 * 100,
                years as i64,
                format!(
                    "土地位于{region}{town}，面积{area}平方米，用途为{land_use}，出让年限{years}年，容积率1.0至{}.{}",
                    rng.range(1, 3),
                    rng.range(0, 9)
                ),
                "中华人民共和国境内外的法人和其他组织均可申请竞买，存在欠缴土地出让价款、闲置土地等违法违规行为的除外".to_string(),
            )
        }
        Family::Mining => {
            let mineral = *rng.pick(MINERALS);
            let village = *rng.pick(VILLAGES);
            (
                format!("{region}{town}{village}{mineral}矿采矿权"),
                format!("{CITY}自然资源和规划局"),
                rng.range(5_000_000, 100_000_000) / 100 * 100 * 100,
                rng.range(5, 15),
                format!(
                    "矿区面积{}.{:04}平方公里，保有资源量{}万吨，生产规模{}万吨/年",
                    rng.range(0, 1),
                    rng.range(1000, 9999),
                    rng.range(200, 3000),
                    rng.range(20, 200)
                ),
                "在中华人民共和国境内依法设立的企业法人，具备相应资金能力和开采技术条件，无违法采矿等不良记录".to_string(),
            )
        }
        Family::Equity => {
            region = urban(rng);
            let owner = rng.pick(STATE_OWNERS).to_string();
            let target = format!(
                "{CITY}{}{}有限公司",
                rng.pick(BRANDS),
                rng.pick(EQUITY_TARGETS)
            );
            let pct = rng.range(10, 100);
            (
                format!("{target}{pct}%股权转让项目"),
                owner,
                rng.range(1_000_000, 50_000_000) * 100,
                20,
                format!("{target}{pct}%股权，评估基准日为{}年12月31日", year - 1),
                "依法设立并有效存续的企业法人，具有良好的财务状况和商业信用，不接受联合体受让"
                    .to_string(),
            )
        }
        Family::Franchise => {
            let thing = *rng.pick(FRANCHISES);
            (
                format!("{region}{thing}出让项目"),
                format!("{region}城市管理局"),
                rng.range(500_000, 10_000_000) * 100,
                rng.range(3, 10) * 365,
                format!("{region}范围内{thing}，经营期限{}年", rng.range(3, 10)),
                "依法设立的企业法人，具有相关运营经验，近三年内无重大违法记录".to_string(),
            )
        }
    };
    let agency = rng.pick(&ctx.companies.agencies).clone();
    let phone = format!("0375-{:07}", 100 + rng.below(900) * 13);
    let code = ctx.next_project_code(family, year);
    let id_prefix = code.trim_start_matches("PDS").to_lowercase();
    Project {
        family,
        code,
        id_prefix,
        region,
        name,
        owner,
        agency,
        budget,
        days,
        scope,
        requirement,
        phone,
    }
}

/// How a project's life goes: which stages, on which days. A complete project has 4–7 stages;
/// one that ends early (terminated, 流标) has at least 4 notices.
fn plan_stages(
    rng: &mut Rng,
    family: Family,
    start: Date,
    notice_heavy: bool,
) -> Vec<(Stage, Date)> {
    let terminated = notice_heavy && rng.chance(80);
    let approval = rng.chance(if family.is_procurement() { 30 } else { 55 });
    let opened = !terminated || rng.chance(75);
    // Stages besides the changes: approval?, tender, opening?, then termination or the 3 results.
    let fixed = approval as i64 + 1 + opened as i64 + if terminated { 1 } else { 3 };
    let wanted = match rng.below(100) {
        0..=44 => 0,
        45..=79 => 1,
        _ => 2,
    };
    let changes = wanted.clamp((4 - fixed).max(0), (7 - fixed).clamp(0, 2));

    let mut plan = Vec::new();
    let tender = start;
    if approval {
        plan.push((Stage::Approval, tender.add(-rng.range(15, 75)).working()));
    }
    plan.push((Stage::Tender, tender));
    let mut day = tender;
    for _ in 0..changes {
        day = day.add(rng.range(3, 8)).working();
        plan.push((Stage::Change, day));
    }
    let span = match family {
        Family::Land | Family::Mining => rng.range(25, 40),
        Family::Equity => rng.range(25, 35),
        _ => rng.range(20, 30),
    };
    let opening = tender.add(span).working().max(day.add(1).working());
    if opened {
        plan.push((Stage::Opening, opening));
    }
    if terminated {
        plan.push((Stage::Termination, opening.add(rng.range(0, 4)).working()));
        return plan;
    }
    // A small fraction breaks the rules, as happens on real sites.
    let flaw = rng.below(100);
    let mut candidates = opening.add(rng.range(1, 3)).working();
    let award = if flaw == 0 {
        // Award one day after the candidates were published: publicity too short.
        if candidates.weekday() == 4 {
            candidates = candidates.add(-1).max(opening);
        }
        candidates.add(1)
    } else {
        candidates.add(rng.range(3, 7)).working()
    };
    if flaw != 1 {
        plan.push((Stage::Candidates, candidates));
    }
    plan.push((Stage::Award, award));
    let contract = if flaw == 2 {
        award.add(rng.range(31, 60)).working() // contract signed late
    } else {
        award.add(rng.range(5, 28)).working()
    };
    plan.push((Stage::Contract, contract));
    plan
}

fn write_project(
    ctx: &mut Context,
    out: &mut Out,
    notice_heavy: bool,
    left_notices: &mut usize,
    left_results: &mut usize,
) -> io::Result<()> {
    let family = pick_family(&mut ctx.rng);
    let start = random_day(&mut ctx.rng, first_day().add(60), last_day());
    let mut plan = plan_stages(&mut ctx.rng, family, start, notice_heavy);
    plan.retain(|(_, d)| *d >= first_day());
    // Stop at the end of the window or where a kind's quota runs out.
    let mut kept = Vec::new();
    for (stage, day) in plan {
        let left = if stage.is_result() {
            &mut *left_results
        } else {
            &mut *left_notices
        };
        if day > last_day() || *left == 0 {
            break;
        }
        *left -= 1;
        kept.push((stage, day));
    }
    if kept.is_empty() {
        // Only one kind has room left; write a lone stage of that kind.
        let stage = if *left_notices > 0 {
            Stage::Tender
        } else {
            Stage::Award
        };
        let left = if stage.is_result() {
            left_results
        } else {
            left_notices
        };
        *left -= 1;
        kept.push((stage, start.min(last_day())));
    }

    let project = new_project(ctx, family, kept[0].1);
    ctx.project_codes
        .push((project.code.clone(), family, project.region));
    let rng = &mut ctx.rng;
    // Bidders, ranked by price; the lowest valid bid is first.
    let n_bidders = rng.range(3, 8) as usize;
    let mut bidders = ctx.companies.sample(rng, family, n_bidders);
    let mut bids: Vec<i64> = (0..bidders.len())
        .map(|_| {
            let permille = if matches!(
                family,
                Family::Land | Family::Mining | Family::Equity | Family::Franchise
            ) {
                rng.range(1000, 1250)
            } else {
                rng.range(880, 995)
            };
            let fen = project.budget / 1000 * permille;
            if rng.chance(50) {
                fen / 100 * 100
            } else {
                fen
            }
        })
        .collect();
    let ascending = !matches!(
        family,
        Family::Land | Family::Mining | Family::Equity | Family::Franchise
    );
    let mut order: Vec<usize> = (0..bidders.len()).collect();
    order.sort_by_key(|&i| if ascending { bids[i] } else { -bids[i] });
    bidders = order.iter().map(|&i| bidders[i].clone()).collect();
    bids = order.iter().map(|&i| bids[i]).collect();
    // Sometimes one bidder is disqualified.
    let disqualified = if bidders.len() >= 4 && rng.chance(25) {
        Some((
            rng.below(bidders.len() as u64) as usize,
            *rng.pick(DISQUALIFY_REASONS),
        ))
    } else {
        None
    };
    let ranked = Ranked {
        bidders,
        bids,
        disqualified,
    };

    let mut change_no = 0;
    for (stage, day) in &kept {
        let id = match stage {
            Stage::Change => {
                change_no += 1;
                if change_no == 1 {
                    format!("{}-change", project.id_prefix)
                } else {
                    format!("{}-change-{change_no}", project.id_prefix)
                }
            }
            s => format!("{}-{}", project.id_prefix, s.key()),
        };
        let text = stage_doc(rng, &project, &ranked, *stage, *day, &kept);
        out.write(if stage.is_result() { 1 } else { 0 }, &id, &text)?;
    }
    Ok(())
}

const DISQUALIFY_REASONS: &[&str] = &[
    "拟派项目负责人的安全生产考核合格证书已过有效期，不满足资格要求",
    "未按招标文件要求提供依法缴纳社会保障资金的证明材料",
    "投标报价低于成本且未能在规定时间内作出合理说明",
    "投标文件未按要求加盖电子签章，属于重大偏差",
    "类似工程业绩证明材料与公开信息不一致，经核实不予认可",
    "投标有效期短于招标文件要求",
];

struct Ranked {
    bidders: Vec<Company>,
    bids: Vec<i64>,
    disqualified: Option<(usize, &'static str)>,
}

impl Ranked {
    /// Indexes of valid bidders in rank order.
    fn valid(&self) -> Vec<usize> {
        (0..self.bidders.len())
            .filter(|&i| self.disqualified.map(|d| d.0) != Some(i))
            .collect()
    }
}

/// Paragraphs a tender notice may add at its end; `{bw}` and `{ow}` are filled in.
const TENDER_EXTRAS: &[&str] = &[
    "本项目实行全流程电子化交易，{bw}须提前办理CA数字证书，并在平顶山市公共资源交易平台完成市场主体信息登记。",
    "保证金可采用银行转账或电子保函形式提交，金额及缴纳方式详见文件；以转账方式提交的，须从{bw}的基本账户转出。",
    "本项目不组织集中踏勘现场，{bw}可自行踏勘，踏勘中发生的费用和安全责任由{bw}自行承担。",
    "{bw}对文件有疑问的，应在递交截止时间10日前通过交易平台匿名提出，{ow}的澄清将在平台统一发布，不单独通知。",
    "本公告同时在河南省公共资源交易平台和本网发布，其他媒介转载的内容与本公告不一致的，以本公告为准。",
    "{bw}认为文件使自己的权益受到损害的，可在规定时间内以书面形式向{ow}提出异议（质疑）；对答复不满意的，可依法向行政监督部门投诉。",
    "{ow}不组织投标预备会。{bw}应仔细阅读文件的全部内容，按要求编制和递交文件，未实质性响应的将被否决。",
];

const CONSTRUCTION_EXTRAS: &[&str] = &[
    "中标人须按规定开设农民工工资专用账户，落实实名制管理和工资保证金制度，按月足额支付农民工工资。",
    "项目负责人、技术负责人等主要管理人员须与投标文件一致，施工期间不得擅自更换，并按规定在岗履职。",
    "施工现场须落实扬尘污染防治“六个百分之百”要求，文明施工费用不得作为竞争性费用。",
];

const RESULT_EXTRAS: &[&str] = &[
    "对本结果有异议的，{bw}或者其他利害关系人可依法提出；涉及违法违规问题的，可通过本网[在线提交](/submit)投诉或举报，并凭查询编号在[进度查询](/track)页面查看办理情况。",
    "未成交{bw}的保证金将在结果公告发布后5个工作日内原路退还；{winner}的保证金在合同签订后退还或转为履约担保。",
    "本项目交易全过程由行政监督部门依法监督，开标、评审过程的音视频资料按规定存档备查。",
];

fn fill(template: &str, bw: &str, ow: &str, winner: &str) -> String {
    template
        .replace("{bw}", bw)
        .replace("{ow}", ow)
        .replace("{winner}", winner)
}

fn stage_doc(
    rng: &mut Rng,
    p: &Project,
    r: &Ranked,
    stage: Stage,
    day: Date,
    plan: &[(Stage, Date)],
) -> String {
    let f = p.family;
    let kind = if stage.is_result() {
        "result"
    } else {
        "notice"
    };
    let base = if stage == Stage::Approval {
        p.name
            .trim_end_matches("施工")
            .trim_end_matches("监理")
            .to_string()
    } else {
        p.name.clone()
    };
    let title = format!("{base}{}", f.stage_title(stage, rng));
    let department = if stage == Stage::Approval {
        f.approval_department()
    } else {
        f.department()
    };
    let mut doc = Doc::new(kind, &title, day, department, Some(p.region));
    doc.field("category", f.category());
    doc.field("project", &p.code);
    doc.field("stage", stage.key());
    let valid = r.valid();
    let winner = valid[0];
    let when = |s: Stage| plan.iter().find(|(x, _)| *x == s).map(|(_, d)| *d);
    let bw = f.bidder_word();
    let ow = f.owner_word();
    let ww = f.winner_word();
    let term = if f.is_construction() {
        format!("{}日历天", p.days)
    } else {
        format!("{}日", p.days)
    };

    if stage.is_result() {
        // The front matter's bidders: ranked candidates, every bidder on the award, the winner
        // on the contract.
        doc.raw("amount", &yuan(r.bids[winner]));
        let listed: Vec<usize> = match stage {
            Stage::Candidates => {
                let mut v: Vec<usize> = valid.iter().copied().take(3).collect();
                v.extend(r.disqualified.map(|d| d.0));
                v
            }
            Stage::Award => (0..r.bidders.len()).collect(),
            _ => vec![winner],
        };
        for &i in &listed {
            let rank = valid
                .iter()
                .position(|&v| v == i)
                .map_or(valid.len() + 1, |k| k + 1);
            let _ = write!(
                doc.head,
                "\n[[bidders]]\nname = {}\ncredit_code = {}\nbid = {}\nrank = {}\nwon = {}\n",
                q(&r.bidders[i].name),
                q(&r.bidders[i].code),
                yuan(r.bids[i]),
                rank,
                stage != Stage::Candidates && i == winner
            );
            if let Some((d, reason)) = r.disqualified {
                if d == i {
                    let _ = write!(doc.head, "disqualified = true\nreason = {}\n", q(reason));
                }
            }
        }
    }

    let b = &mut doc.body;
    match stage {
        Stage::Approval => {
            let _ = writeln!(
                b,
                "## 一、项目基本情况\n\n| 项目 | 内容 |\n|---|---|\n| 项目名称 | {base} |\n| 项目单位 | {} |\n| 批复文号 | 平{}〔{}〕{}号 |\n| 建设（交易）内容 | {} |\n| 估算金额 | {}万元 |\n",
                p.owner,
                match department {
                    "gzw" => "国资产权",
                    "czj" => "财采意向",
                    "zrzy" => "自然资出让",
                    _ => "发改审批",
                },
                day.year(),
                rng.range(3, 199),
                p.scope,
                wan(p.budget * rng.range(102, 125) / 100),
            );
            let _ = writeln!(
                b,
                "## 二、审批意见\n\n经审查，该项目符合{}，同意按{}方式组织实施。项目单位应严格按照核准的范围、方式和组织形式开展交易活动，不得化整为零或以其他方式规避公开交易，不得以不合理的条件限制、排斥潜在{bw}。\n",
                rng.pick(&["国土空间规划和行业发展规划", "本级财政预算安排", "国有资产管理有关规定"]),
                if f.is_construction() { "委托招标、公开招标" } else { "公开交易" },
            );
            let mut next = "三";
            if f.is_construction() {
                let _ = writeln!(b, "## 三、招标事项核准\n\n| 招标内容 | 招标范围 | 组织形式 | 招标方式 |\n|---|---|---|---|");
                for part in ["勘察、设计", "施工", "监理"] {
                    let _ = writeln!(
                        b,
                        "| {part} | 全部招标 | {} | 公开招标 |",
                        rng.pick(&["委托招标", "委托招标", "自行招标"])
                    );
                }
                let _ = writeln!(b);
                next = "四";
            }
            let _ = writeln!(
                b,
                "## {next}、其他\n\n本项目后续的招标（出让）公告、开标、结果及合同信息均在本网发布，可在[项目全过程页面](/projects/{}/)查阅。项目单位应在交易完成后及时报送交易结果和合同订立情况。",
                p.code
            );
        }
        Stage::Tender => {
            let _ = writeln!(
                b,
                "## 一、{}条件\n\n{}已具备交易条件，{ow}为{}，{}为{}。现对该项目进行公开{}，欢迎符合条件的{bw}参加。\n",
                if f.is_construction() { "招标" } else { "交易" },
                base,
                p.owner,
                if f.is_procurement() { "采购代理机构" } else { "代理机构" },
                p.agency.name,
                if matches!(f, Family::Land | Family::Mining) { "挂牌出让" } else if f.is_procurement() { "采购" } else { "招标" },
            );
            let _ = writeln!(
                b,
                "## 二、项目概况\n\n| 项目 | 内容 |\n|---|---|\n| 项目编号 | {} |\n| 建设（交易）地点 | {} |\n| 主要内容 | {} |\n| {} | {term} |\n| {} | {}元 |\n",
                p.code,
                p.region,
                p.scope,
                if f.is_construction() { "计划工期" } else { "履约（经营）期限" },
                if matches!(f, Family::Land | Family::Mining | Family::Equity | Family::Franchise) { "起始价（底价）" } else { "最高限价" },
                yuan(p.budget),
            );
            let _ = writeln!(
                b,
                "## 三、{bw}资格要求\n\n1. {}；\n2. {bw}不得存在串通投标等违法行为，未被列入严重失信主体名单；\n3. {}。\n",
                p.requirement,
                rng.pick(&["本项目不接受联合体", "本项目接受联合体，联合体各方不得再以自己名义单独参加", "单位负责人为同一人或者存在控股、管理关系的不同单位，不得同时参加"]),
            );
            let deadline = when(Stage::Opening).unwrap_or(day.add(21));
            let _ = writeln!(
                b,
                "## 四、文件获取与递交\n\n请于{}至{}登录平顶山市公共资源交易平台免费下载{}文件。递交截止时间为{}9时30分，逾期上传的文件，交易平台不予接收。\n",
                day.cn(),
                day.add(7).cn(),
                if f.is_procurement() { "采购" } else { "招标（出让）" },
                deadline.cn(),
            );
            let _ = writeln!(b, "## 五、其他事项\n");
            let mut extras: Vec<String> = rng
                .some(TENDER_EXTRAS, 3)
                .into_iter()
                .map(|s| fill(s, bw, ow, ww))
                .collect();
            if f.is_construction() {
                extras.push(rng.pick(CONSTRUCTION_EXTRAS).to_string());
            }
            for (k, e) in extras.iter().enumerate() {
                let _ = writeln!(b, "{}. {e}", k + 1);
            }
            let _ = writeln!(
                b,
                "\n## 六、联系方式\n\n{ow}：{}，联系电话：{}\n代理机构：{}\n监督部门：{}",
                p.owner,
                p.phone,
                p.agency.name,
                f.department_name()
            );
        }
        Stage::Change => {
            let tender_day = when(Stage::Tender).unwrap_or(day);
            let _ = writeln!(
                b,
                "各潜在{bw}：\n\n本项目（项目编号：{}）于{}发布公告。根据潜在{bw}在答疑期内提出的问题，经{ow}研究，现对文件作如下澄清和变更：\n",
                p.code,
                tender_day.cn(),
            );
            let items = [
                "工程量清单（需求清单）中个别项目的计量单位和数量有误，已予更正，最高限价不变",
                "评分办法中“类似项目业绩”的时间范围调整为近三年，分值不变",
                "资格条件中对项目负责人的要求以本公告为准，不再要求提供本地项目业绩",
                "技术参数中个别指标表述不清，已作澄清，不构成对特定品牌或产品的指向",
                "付款方式调整为按进度支付，验收合格后支付至合同价的95%",
                "文件中前后不一致的履约期限统一为公告载明的期限",
                "保证金可以电子保函形式提交，不再限定出具保函的金融机构",
            ];
            for (k, item) in rng.some(&items, 4).into_iter().enumerate() {
                let _ = writeln!(b, "{}. {item}；", k + 1);
            }
            let opening = when(Stage::Opening);
            let _ = writeln!(
                b,
                "5. {}\n\n本澄清与变更是{}文件的组成部分，与原文件具有同等效力，内容不一致的以本公告为准。澄清内容可能影响文件编制的，递交截止时间已按规定顺延，确保自本公告发布之日起至递交截止时间不少于15日。请各{bw}及时登录交易平台下载更新后的文件，并按更新后的文件编制、递交文件；因未及时下载造成的后果由{bw}自行承担。",
                match opening {
                    Some(d) => format!("递交截止及开标时间为{}9时30分，地点不变。", d.cn()),
                    None => "递交截止时间另行通知。".to_string(),
                },
                if f.is_procurement() { "采购" } else { "招标" },
            );
        }
        Stage::Opening => {
            let _ = writeln!(
                b,
                "本项目于{}9时30分在平顶山市公共资源交易中心{}，共有{}家{bw}按时递交文件并完成解密，开标记录如下：\n",
                day.cn(),
                if matches!(f, Family::Land | Family::Mining | Family::Equity) {
                    *rng.pick(&["竞价室进行现场竞价", "产权交易系统进行网络竞价"])
                } else {
                    *rng.pick(&["以远程不见面方式开标", "第一开标室开标", "第二开标室开标"])
                },
                r.bidders.len()
            );
            let _ = writeln!(
                b,
                "| 序号 | {bw} | 报价（元） | {} | 保证金 |\n|---|---|---|---|---|",
                if f.is_construction() {
                    "工期（日历天）"
                } else {
                    "承诺"
                }
            );
            // Published in order of upload, not of rank.
            let mut upload: Vec<usize> = (0..r.bidders.len()).collect();
            for i in (1..upload.len()).rev() {
                let j = rng.below(i as u64 + 1) as usize;
                upload.swap(i, j);
            }
            for (n, &i) in upload.iter().enumerate() {
                let promise = if f.is_construction() {
                    format!("{}", p.days - rng.range(0, 3) * 5)
                } else {
                    rng.pick(&["满足文件要求", "响应全部条款", "无偏离"])
                        .to_string()
                };
                let bond =
                    rng.pick(&["已提交（电子保函）", "已提交（转账）", "已提交（保险保单）"]);
                let _ = writeln!(
                    b,
                    "| {} | {} | {} | {promise} | {bond} |",
                    n + 1,
                    r.bidders[i].name,
                    yuan(r.bids[i])
                );
            }
            let _ = writeln!(
                b,
                "\n{}为{}元。开标过程全程录音录像，{}通过电子监管系统在线监督。各{bw}对开标过程和唱标结果均无异议，{}。",
                if matches!(f, Family::Land | Family::Mining | Family::Equity | Family::Franchise) { "起始价" } else { "最高限价" },
                yuan(p.budget),
                f.department_name(),
                if f.is_construction() || f.is_procurement() { "评审工作随即在交易中心封闭评审区进行" } else { "竞价结果将按规定公示" }
            );
        }
        Stage::Candidates => {
            let _ = writeln!(
                b,
                "## 一、评审情况\n\n{}按照文件规定的{}，对{}家{bw}的文件进行了评审，推荐结果如下：\n",
                if f.is_construction() || f.is_procurement() { "评标委员会" } else { "交易机构" },
                if f.is_construction() {
                    *rng.pick(&["综合评估法", "经评审的最低投标价法"])
                } else if f.is_procurement() {
                    "综合评分法"
                } else {
                    "价高者得原则"
                },
                r.bidders.len()
            );
            let _ = writeln!(
                b,
                "| 排序 | {bw} | 统一社会信用代码 | 报价（元） | 得分 |\n|---|---|---|---|---|"
            );
            let mut score = rng.range(9000, 9800);
            for (k, &i) in valid.iter().take(3).enumerate() {
                let _ = writeln!(
                    b,
                    "| {} | {} | {} | {} | {}.{:02} |",
                    k + 1,
                    r.bidders[i].name,
                    r.bidders[i].code,
                    yuan(r.bids[i]),
                    score / 100,
                    score % 100
                );
                score -= rng.range(50, 400);
            }
            let first = &r.bidders[winner];
            let _ = writeln!(
                b,
                "\n## 二、第一名{bw}响应情况\n\n{}承诺的履约期限为{term}，{}，近三年类似项目业绩{}项，信用记录查询未发现被列入严重失信主体名单的情形。",
                first.name,
                if f.is_construction() { "拟派项目负责人具备相应专业注册建造师执业资格和安全生产考核合格证书" } else { "响应文件对全部实质性条款作出响应" },
                rng.range(2, 9)
            );
            let mut next = "三";
            if let Some((d, reason)) = r.disqualified {
                let _ = writeln!(
                    b,
                    "\n## 三、否决情况\n\n{}：{}。",
                    r.bidders[d].name, reason
                );
                next = "四";
            }
            let _ = writeln!(
                b,
                "\n## {next}、公示期\n\n公示期为{}至{}。{bw}或者其他利害关系人对结果有异议的，应当在公示期内以书面形式向{ow}提出，{ow}应当自收到异议之日起3日内作出答复；对异议答复不满意的，可以向{}投诉，也可以通过本网[在线提交](/submit)。",
                day.cn(),
                day.add(3).working().cn(),
                f.department_name()
            );
        }
        Stage::Award => {
            let amount = r.bids[winner];
            let _ = writeln!(
                b,
                "{}经{}，{ow}确定{}为{ww}。\n",
                base,
                if when(Stage::Candidates).is_some() {
                    "评审及结果公示"
                } else {
                    "评审"
                },
                r.bidders[winner].name,
            );
            let _ = writeln!(
                b,
                "| 项目 | 内容 |\n|---|---|\n| {ww} | {} |\n| 统一社会信用代码 | {} |\n| {} | {}元 |\n| 履约期限 | {term} |\n",
                r.bidders[winner].name,
                r.bidders[winner].code,
                f.price_word(),
                yuan(amount),
            );
            let _ = writeln!(b, "**全部{bw}报价及结果：**\n\n| 序号 | {bw} | 报价（元） | 结果 |\n|---|---|---|---|");
            for (i, c) in r.bidders.iter().enumerate() {
                let status = match r.disqualified {
                    Some((d, _)) if d == i => "被否决".to_string(),
                    _ if i == winner => "中标（成交）".to_string(),
                    _ => format!(
                        "第{}名",
                        valid.iter().position(|&v| v == i).map_or(0, |k| k + 1)
                    ),
                };
                let _ = writeln!(
                    b,
                    "| {} | {} | {} | {status} |",
                    i + 1,
                    c.name,
                    yuan(r.bids[i])
                );
            }
            let extra = *rng.pick(RESULT_EXTRAS);
            let _ = writeln!(
                b,
                "\n{ow}与{ww}应当自通知书发出之日起30日内订立书面合同。{}项目全部信息见[项目全过程页面](/projects/{}/)。",
                fill(extra, bw, ow, ww),
                p.code
            );
        }
        Stage::Contract => {
            let amount = r.bids[winner];
            let signed = day
                .add(-rng.range(0, 2))
                .max(when(Stage::Award).unwrap_or(day));
            let _ = writeln!(
                b,
                "{ow}{}与{}于{}签订合同，现将主要内容公示如下：\n",
                p.owner,
                r.bidders[winner].name,
                signed.cn()
            );
            let _ = writeln!(
                b,
                "| 合同要素 | 内容 |\n|---|---|\n| 合同金额 | {}元 |\n| 履约期限 | {term} |\n| 付款方式 | {} |\n| 履约担保 | {} |\n| 质量（服务）标准 | {} |\n",
                yuan(amount),
                rng.pick(&["按月计量，支付已完工程价款的80%", "验收合格后支付合同金额的95%，余款质保期满后支付", "合同生效后一次性支付", "按季度考核后支付"]),
                rng.pick(&["合同金额的5%，银行保函", "合同金额的10%，保证金", "不收取履约保证金", "合同金额的3%，电子保函"]),
                rng.pick(&["合格", "符合国家现行验收规范和文件要求", "达到文件约定的考核标准"]),
            );
            let _ = writeln!(
                b,
                "合同主要条款与{}文件及{ww}的响应文件实质性内容一致，双方未订立背离合同实质性内容的其他协议。{}合同履行中发生变更的，{ow}将按规定另行公开。\n\n{}将对合同履行情况进行监督检查，重点检查{}。{ww}存在转包、违法分包或者不按合同约定履行义务的，依法追究责任并记入信用档案。合同文本已在交易平台备案，社会公众可通过[项目全过程页面](/projects/{}/)查阅本项目全部公开信息。",
                if f.is_procurement() { "采购" } else { "招标（出让）" },
                if f.is_construction() { "项目实行农民工实名制管理，工资通过专用账户按月足额支付。" } else { "" },
                f.department_name(),
                if f.is_construction() {
                    "主要管理人员到岗履职、工程质量安全和工程款支付情况"
                } else if f.is_procurement() {
                    "履约验收、资金支付和服务质量情况"
                } else {
                    "价款缴纳、交付和开发利用情况"
                },
                p.code
            );
        }
        Stage::Termination => {
            let reason = if when(Stage::Opening).is_some() {
                match rng.below(3) {
                    0 => format!("经评审，有效{bw}不足三家，不具备竞争性"),
                    1 => format!("经评审，所有{bw}的文件均未实质性响应文件要求"),
                    _ => "开标后发现文件存在影响公平竞争的重大缺陷，经行政监督部门同意".to_string(),
                }
            } else {
                rng.pick(&[
                    "项目建设条件发生重大变化，经项目单位申请并报行政监督部门同意",
                    "采购需求需作重大调整",
                    "项目资金安排发生变化",
                ])
                .to_string()
            };
            let _ = writeln!(
                b,
                "## 一、项目基本情况\n\n项目名称：{base}；项目编号：{}；{ow}：{}。\n\n## 二、终止原因\n\n{reason}，依据有关规定，本项目{}。\n\n## 三、后续安排\n\n{ow}将在调整后重新组织交易活动，届时另行发布公告。已递交的保证金将在本公告发布之日起5个工作日内原路退还，已获取文件的潜在{bw}无需另行申请。\n\n{bw}对本公告有异议的，可在公告发布之日起3个工作日内以书面形式向{ow}提出；认为交易活动违反法律法规的，可向{}投诉，或通过本网[在线提交](/submit)，并在[进度查询](/track)页面查看办理情况。\n\n## 四、联系方式\n\n{ow}：{}，联系电话：{}。",
                p.code,
                p.owner,
                rng.pick(&["终止", "流标", "废标，不再继续评审"]),
                f.department_name(),
                p.owner,
                p.phone
            );
        }
    }
    doc.text()
}

// ---------------------------------------------------------------------------------------------
// Penalties, credit entries, power lists, inspections, complaint results

struct PenaltyKind {
    /// Who commits it: a bidder or supplier, the tenderer, or the tender agency.
    who: Who,
    violation: &'static str,
    basis: &'static str,
    departments: &'static [&'static str],
    /// Fine as a permille range of an amount drawn from `base`, or a fixed range in yuan.
    fine: Fine,
    extra: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    Bidder,
    Tenderer,
    Agency,
}

enum Fine {
    Permille(i64, i64, i64, i64),
    Yuan(i64, i64),
}

const PENALTIES: &[PenaltyKind] = &[
    PenaltyKind {
        who: Who::Bidder,
        violation: "与其他投标人相互串通投标（围标串标）",
        basis: "《中华人民共和国招标投标法》第五十三条；《中华人民共和国招标投标法实施条例》第四十条、第六十七条",
        departments: &["zjj", "jtj", "slj"],
        fine: Fine::Permille(5, 10, 2_000_000, 60_000_000),
        extra: "，取消一年内参加依法必须进行招标的项目的投标资格",
    },
    PenaltyKind {
        who: Who::Bidder,
        violation: "提供虚假业绩和人员证明材料，以弄虚作假方式投标",
        basis: "《中华人民共和国招标投标法》第五十四条；《中华人民共和国招标投标法实施条例》第四十二条、第六十八条",
        departments: &["zjj", "jtj", "slj"],
        fine: Fine::Permille(5, 10, 2_000_000, 60_000_000),
        extra: "",
    },
    PenaltyKind {
        who: Who::Bidder,
        violation: "将中标项目的主体结构工程违法分包给不具备相应资质的单位",
        basis: "《中华人民共和国招标投标法》第五十八条；《中华人民共和国招标投标法实施条例》第七十六条",
        departments: &["zjj", "jtj", "slj"],
        fine: Fine::Permille(5, 10, 500_000, 10_000_000),
        extra: "，责令改正",
    },
    PenaltyKind {
        who: Who::Bidder,
        violation: "允许他人以本企业名义承揽工程（出借资质）",
        basis: "《中华人民共和国建筑法》第二十六条、第六十六条；《建设工程质量管理条例》第六十一条",
        departments: &["zjj"],
        fine: Fine::Permille(20, 40, 1_000_000, 8_000_000),
        extra: "，没收违法所得",
    },
    PenaltyKind {
        who: Who::Tenderer,
        violation: "依法必须公开招标的项目未按规定在指定媒介发布招标公告",
        basis: "《中华人民共和国招标投标法》第五十一条；《中华人民共和国招标投标法实施条例》第六十三条",
        departments: &["zjj", "jtj", "slj"],
        fine: Fine::Yuan(10_000, 50_000),
        extra: "，责令改正",
    },
    PenaltyKind {
        who: Who::Tenderer,
        violation: "无正当理由未在中标通知书发出之日起三十日内与中标人订立合同",
        basis: "《中华人民共和国招标投标法》第四十六条；《中华人民共和国招标投标法实施条例》第七十三条",
        departments: &["zjj", "jtj", "slj"],
        fine: Fine::Permille(1, 5, 2_000_000, 40_000_000),
        extra: "，责令改正",
    },
    PenaltyKind {
        who: Who::Bidder,
        violation: "在政府采购活动中提供虚假材料谋取中标、成交",
        basis: "《中华人民共和国政府采购法》第七十七条第一款第（一）项",
        departments: &["czj"],
        fine: Fine::Permille(5, 10, 200_000, 5_000_000),
        extra: "，列入不良行为记录名单，一年内禁止参加政府采购活动",
    },
    PenaltyKind {
        who: Who::Agency,
        violation: "采购代理机构未依法在指定媒体上发布政府采购项目信息",
        basis: "《中华人民共和国政府采购法》第七十一条；《中华人民共和国政府采购法实施条例》第六十八条",
        departments: &["czj"],
        fine: Fine::Yuan(5_000, 30_000),
        extra: "，给予警告",
    },
    PenaltyKind {
        who: Who::Bidder,
        violation: "中标后无正当理由拒不与采购人签订政府采购合同",
        basis: "《中华人民共和国政府采购法实施条例》第七十二条；《中华人民共和国政府采购法》第七十七条",
        departments: &["czj"],
        fine: Fine::Permille(5, 10, 200_000, 5_000_000),
        extra: "，列入不良行为记录名单",
    },
    PenaltyKind {
        who: Who::Bidder,
        violation: "未经批准非法占用集体土地堆放砂石料",
        basis: "《中华人民共和国土地管理法》第七十七条；《中华人民共和国土地管理法实施条例》第五十七条",
        departments: &["zrzy"],
        fine: Fine::Yuan(20_000, 300_000),
        extra: "，责令退还非法占用的土地，限期恢复土地原状",
    },
    PenaltyKind {
        who: Who::Agency,
        violation: "招标代理机构泄露应当保密的与招标投标活动有关的情况和资料",
        basis: "《中华人民共和国招标投标法》第五十条",
        departments: &["zjj", "jtj", "slj"],
        fine: Fine::Yuan(50_000, 250_000),
        extra: "，暂停代理业务",
    },
];

/// Penalties on natural persons.
const PERSON_PENALTIES: &[(&str, &str, &str)] = &[
    (
        "注册建造师同时在两个在建工程项目担任项目负责人",
        "《注册建造师管理规定》第二十六条、第三十七条",
        "zjj",
    ),
    (
        "作为投标单位直接责任人员，组织实施串通投标",
        "《中华人民共和国招标投标法》第五十三条；《中华人民共和国招标投标法实施条例》第六十七条",
        "zjj",
    ),
    (
        "注册监理工程师未按规定到岗履职，在监理文件上代签",
        "《注册监理工程师管理规定》第二十九条、第三十一条",
        "zjj",
    ),
];

fn decision_prefix(department: &str) -> &'static str {
    match department {
        "zjj" => "平建罚",
        "jtj" => "平交罚",
        "slj" => "平水罚",
        "czj" => "平财罚",
        "zrzy" => "平自然资罚",
        _ => "平公管罚",
    }
}

/// `罚款人民币38520.00元`.
fn fine_text(fen: i64) -> String {
    format!("罚款人民币{}元", yuan(fen))
}

fn write_penalty(ctx: &mut Context, out: &mut Out) -> io::Result<()> {
    let rng = &mut ctx.rng;
    let decided = random_day(rng, first_day(), last_day().add(-2));
    let published = decided.add(rng.range(1, 4)).working().min(last_day());
    let (region, area, _) = *rng.pick(PLACES);
    let seq = out.counts[2] + 1;
    let id = format!("pn-{seq:06}");
    let person = rng.chance(18);
    let (subject, code, violation, basis, department, penalty, fine) = if person {
        let (violation, basis, department) = *rng.pick(PERSON_PENALTIES);
        let name = format!("{}某某", rng.pick(SURNAMES));
        let fine = rng.range(10, 100) * 100 * 100;
        (
            name,
            masked_person_id(rng, area),
            violation.to_string(),
            basis.to_string(),
            department,
            format!("警告，{}", fine_text(fine)),
            Some(fine),
        )
    } else {
        let kind = rng.pick(PENALTIES);
        let department = *rng.pick(kind.departments);
        let company = match kind.who {
            Who::Bidder => ctx.companies.for_department(rng, department),
            Who::Tenderer => rng.pick(&ctx.companies.pools[Family::Land.pool()]).clone(),
            Who::Agency => rng.pick(&ctx.companies.agencies).clone(),
        };
        let fine = match kind.fine {
            Fine::Permille(lo, hi, min, max) => {
                Some(rng.range(min, max) * 100 / 1000 * rng.range(lo, hi))
            }
            Fine::Yuan(lo, hi) => Some(rng.range(lo / 1000, hi / 1000) * 1000 * 100),
        };
        let penalty = match fine {
            Some(f) => format!("{}{}", fine_text(f), kind.extra),
            None => kind.extra.trim_start_matches('，').to_string(),
        };
        (
            company.name,
            company.code,
            kind.violation.to_string(),
            kind.basis.to_string(),
            department,
            penalty,
            fine,
        )
    };
    let public_days = match rng.below(10) {
        0..=3 => 91,
        4..=7 => 365,
        _ => 365 * 3,
    };
    let public_until = decided.add(public_days);
    let no = format!(
        "{}〔{}〕{}号",
        decision_prefix(department),
        decided.year(),
        rng.range(1, 240)
    );
    let title = format!("{}{}行政处罚决定", subject, short_violation(&violation));
    let mut doc = Doc::new("penalty", &title, published, department, Some(region));
    doc.field("decision_no", &no);
    doc.field("subject", &subject);
    doc.field("subject_credit_code", &code);
    doc.field("violation", &violation);
    doc.field("basis", &basis);
    doc.field("penalty", &penalty);
    if let Some(f) = fine {
        doc.raw("fine", &yuan(f));
    }
    doc.raw("decision_date", &decided.iso());
    doc.raw("public_until", &public_until.iso());
    let b = &mut doc.body;
    let _ = writeln!(
        b,
        "## 一、违法事实\n\n经查，当事人{}在{}{}中，存在{}的行为。上述事实有{}等证据证实，当事人对违法事实无异议。\n",
        subject,
        region,
        match department {
            "zjj" => *rng.pick(&["某房屋建筑工程项目", "某市政道路工程项目", "某老旧小区改造项目"]),
            "jtj" => *rng.pick(&["某公路改建项目", "某农村公路提升项目"]),
            "slj" => *rng.pick(&["某水利工程项目", "某河道治理项目"]),
            "czj" => *rng.pick(&["某政府采购项目", "某单位货物采购项目", "某单位服务采购项目"]),
            _ => *rng.pick(&["某建设项目用地", "某砂石料堆场"]),
        },
        violation,
        rng.pick(&["交易平台电子数据、投标文件、询问笔录", "合同文本、银行流水、现场检查笔录", "采购文件、检测机构复函、情况说明"]),
    );
    let _ = writeln!(
        b,
        "## 二、处罚依据及决定\n\n当事人的行为违反了有关法律法规规定。依据{}，本机关作出如下处罚：{}。{}\n",
        basis,
        penalty,
        if person { "为保护个人信息，本公示对当事人姓名和身份证件号码作了去标识化处理。" } else { "" }
    );
    let _ = writeln!(
        b,
        "## 三、履行方式和救济途径\n\n当事人应自收到本决定书之日起15日内缴纳罚款。如不服本决定，可在收到决定书之日起60日内依法申请行政复议，或者在6个月内向人民法院提起行政诉讼。本信息公示期至{}，期满后不再公开。\n\n## 四、信用管理\n\n本处罚信息已记入{}信用档案，并推送至“信用中国（河南平顶山）”。{}当事人在最短公示期满后，已履行行政处罚决定、主动纠正违法行为并作出信用承诺的，可以依法申请信用修复。对本公示内容有异议的，可通过本网[在线提交](/submit)反映。",
        public_until.cn(),
        if person { "当事人个人" } else { "当事人的市场主体" },
        if public_days > 365 { "该行为情节严重，公示期为三年。" } else { "" }
    );
    out.write(2, &id, &doc.text())
}

fn short_violation(v: &str) -> &'static str {
    if v.contains("串通") {
        "串通投标"
    } else if v.contains("虚假") || v.contains("弄虚作假") {
        "弄虚作假"
    } else if v.contains("分包") {
        "违法分包"
    } else if v.contains("出借资质") || v.contains("名义承揽") {
        "出借资质"
    } else if v.contains("公告") || v.contains("发布") {
        "未按规定公示"
    } else if v.contains("合同") {
        "未按规定订立合同"
    } else if v.contains("占用") {
        "非法占地"
    } else if v.contains("泄露") {
        "泄露保密信息"
    } else {
        "违法违规"
    }
}

const RED_REASONS: &[(&str, &str, &str)] = &[
    (
        "年度建筑业诚信企业",
        "《建筑市场信用管理暂行办法》；《平顶山市建筑市场主体信用评价管理办法》",
        "zjj",
    ),
    (
        "水利建设市场主体信用等级AAA级",
        "《水利建设市场主体信用评价管理办法》",
        "slj",
    ),
    (
        "公路施工企业信用评价AA级",
        "《公路施工企业信用评价规则》",
        "jtj",
    ),
    (
        "政府采购诚信供应商",
        "《平顶山市政府采购供应商诚信管理办法》",
        "czj",
    ),
    (
        "季度建筑市场守信红榜",
        "《平顶山市建筑市场主体信用评价管理办法》",
        "zjj",
    ),
];
const BLACK_REASONS: &[(&str, &str, &str)] = &[
    ("串通投标被取消一年投标资格", "《中华人民共和国招标投标法》第五十三条；《关于对公共资源交易领域严重失信主体开展联合惩戒的备忘录》", "zjj"),
    ("政府采购活动中提供虚假材料", "《中华人民共和国政府采购法》第七十七条；《中华人民共和国政府采购法实施条例》第十九条", "czj"),
    ("拖欠农民工工资数额较大，经责令后逾期未支付", "《保障农民工工资支付条例》第四十八条；《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》", "zjj"),
    ("弄虚作假骗取中标", "《中华人民共和国招标投标法》第五十四条；《建筑市场信用管理暂行办法》", "jtj"),
    ("水利工程转包、违法分包", "《水利建设市场主体信用信息管理办法》", "slj"),
    ("未按出让合同约定缴纳出让价款", "《河南省自然资源领域信用管理办法》", "zrzy"),
];

fn write_credit(ctx: &mut Context, out: &mut Out) -> io::Result<()> {
    let rng = &mut ctx.rng;
    let red = rng.chance(40);
    let (reason, basis, department) = *rng.pick(if red { RED_REASONS } else { BLACK_REASONS });
    let company = ctx.companies.for_department(rng, department);
    let published = random_day(rng, first_day(), last_day());
    // Most take effect on publication; some after a notice period, a few only in the future.
    let from = if rng.chance(8) {
        published.add(rng.range(20, 40))
    } else {
        published
    };
    let until = from.add(*rng.pick(&[182, 365, 365, 730, 1095]));
    let status = match rng.below(100) {
        0..=79 => "active",
        80..=93 => "repaired",
        _ => "revoked",
    };
    let seq = out.counts[3] + 1;
    let id = format!("{}-{seq:06}", if red { "cr-red" } else { "cr-black" });
    let title = format!(
        "{}{}{}",
        company.name,
        if red {
            "列入守信激励名单："
        } else {
            "列入失信惩戒名单："
        },
        reason
    );
    let (region, _, _) = *rng.pick(PLACES);
    let mut doc = Doc::new("credit", &title, published, department, Some(region));
    doc.field("list", if red { "red" } else { "black" });
    doc.field("subject", &company.name);
    doc.field("credit_code", &company.code);
    doc.field("reason", reason);
    doc.field("basis", basis);
    doc.raw("from", &from.iso());
    doc.raw("until", &until.iso());
    doc.field("status", status);
    let measures: Vec<String> = if red {
        vec![
            "在“双随机、一公开”监管中适当降低抽查比例和频次".into(),
            "办理行政审批事项时适用容缺受理".into(),
            (*rng.pick(&[
                "履约保证金可按下限比例缴纳",
                "优先推荐参加评优评先",
                "在招标投标中可作为信誉评分依据",
            ]))
            .into(),
        ]
    } else {
        vec![
            "限制参加依法必须进行招标的项目投标和政府采购活动".into(),
            "列为重点监管对象，提高检查频次".into(),
            (*rng.pick(&[
                "限制申请政府资金支持和财政补贴",
                "取消参加评优评先资格",
                "在行政审批中从严审查",
            ]))
            .into(),
        ]
    };
    doc.list("measures", &measures);
    let b = &mut doc.body;
    let _ = writeln!(
        b,
        "经{}，{}（统一社会信用代码：{}）因{}，被列入{}，有效期自{}至{}。\n",
        rng.pick(&[
            "企业申报、审核和网上公示",
            "依法认定并告知当事人",
            "行政处罚决定生效后依法认定"
        ]),
        company.name,
        company.code,
        reason,
        if red {
            "守信激励对象名单（红名单）"
        } else {
            "失信惩戒对象名单（黑名单）"
        },
        from.cn(),
        until.cn()
    );
    let _ = writeln!(
        b,
        "| 事项 | 内容 |\n|---|---|\n| 认定依据 | {basis} |\n| 列入期限 | {} 至 {} |\n| 当前状态 | {} |\n",
        from.iso(),
        until.iso(),
        match status {
            "repaired" => "已信用修复",
            "revoked" => "已撤销",
            _ => "有效",
        }
    );
    let tail = match status {
        "repaired" => "当事人已纠正失信行为、履行相关义务并作出信用承诺，经审核同意信用修复，相关措施已解除，本条记录转入历史名单。",
        "revoked" => "经复核，原列入决定认定事实的依据不足，已依法撤销，相关措施自始不予执行，本条记录仅作为历史信息保留。",
        _ if red => "有效期内如发生严重失信行为，将立即移出名单并撤销激励措施。",
        _ => "名单有效期届满自动移出；当事人纠正失信行为后，可在最短公示期满后依法申请信用修复。",
    };
    let _ = writeln!(b, "**{}措施：**\n", if red { "激励" } else { "惩戒" });
    for m in &measures {
        let _ = writeln!(b, "- {m}");
    }
    let _ = writeln!(
        b,
        "\n{tail}可通过本网[{}](/credit/{}/)查看当前名单，已到期、已修复或已撤销的记录见[历史名单](/credit/history/)。当事人对本条信息有异议的，可以向认定部门提出书面申请，认定部门应当自收到申请之日起5个工作日内核实处理。",
        if red { "红名单" } else { "黑名单" },
        if red { "red" } else { "black" }
    );
    out.write(3, &id, &doc.text())
}

const POWERS: &[(&str, &str, &str, &str)] = &[
    ("zjj", "行政许可", "建筑工程施工许可证核发", "《中华人民共和国建筑法》第七条、第八条；《建筑工程施工许可管理办法》"),
    ("zjj", "行政处罚", "对招标投标活动中违法行为的行政处罚", "《中华人民共和国招标投标法》第四十九条至第六十条；《中华人民共和国招标投标法实施条例》第六十三条至第八十一条"),
    ("zjj", "行政检查", "对房屋建筑和市政工程招标投标活动的监督检查", "《中华人民共和国招标投标法》第七条；《中华人民共和国招标投标法实施条例》第四条"),
    ("zjj", "行政强制", "对拒不停止施工的违法建设工程查封施工现场", "《中华人民共和国行政强制法》第九条；《中华人民共和国城乡规划法》第六十八条"),
    ("zjj", "其他", "房屋建筑和市政工程招标投标投诉处理", "《工程建设项目招标投标活动投诉处理办法》"),
    ("jtj", "行政检查", "对公路建设项目从业单位的监督检查", "《公路建设监督管理办法》"),
    ("jtj", "行政处罚", "对公路工程招标投标违法行为的行政处罚", "《公路工程建设项目招标投标管理办法》"),
    ("slj", "行政检查", "对水利工程建设项目招标投标活动的监督检查", "《水利工程建设项目招标投标管理规定》"),
    ("slj", "其他", "水利工程招标投标投诉处理", "《工程建设项目招标投标活动投诉处理办法》"),
    ("czj", "行政处罚", "对政府采购供应商违法行为的行政处罚", "《中华人民共和国政府采购法》第七十七条"),
    ("czj", "行政检查", "对政府采购代理机构的监督检查", "《政府采购代理机构管理暂行办法》"),
    ("czj", "其他", "政府采购投诉处理", "《政府采购质疑和投诉办法》"),
    ("zrzy", "行政许可", "建设用地规划许可证核发", "《中华人民共和国城乡规划法》第三十七条、第三十八条"),
    ("zrzy", "行政处罚", "对非法占用土地行为的行政处罚", "《中华人民共和国土地管理法》第七十七条"),
    ("zrzy", "行政强制", "查封、扣押与违法开采矿产资源有关的设备和工具", "《中华人民共和国行政强制法》第九条"),
    ("gzw", "其他", "企业国有产权转让审批", "《企业国有资产交易监督管理办法》"),
    ("gongguan", "行政检查", "对公共资源交易活动的电子监测", "《公共资源交易平台管理暂行办法》"),
];

fn power_type_code(t: &str) -> &'static str {
    match t {
        "行政许可" => "XK",
        "行政处罚" => "CF",
        "行政检查" => "JC",
        "行政强制" => "QZ",
        _ => "QT",
    }
}

fn dept_code(d: &str) -> &'static str {
    match d {
        "zjj" => "ZJ",
        "jtj" => "JT",
        "slj" => "SL",
        "czj" => "CZ",
        "zrzy" => "ZR",
        "gzw" => "GZ",
        _ => "GG",
    }
}

fn write_power(ctx: &mut Context, out: &mut Out, i: usize) -> io::Result<()> {
    let rng = &mut ctx.rng;
    // Entries cycle through the list; each cycle is one year's revision of the list.
    let (department, power_type, name, basis) = POWERS[i % POWERS.len()];
    let revision = i / POWERS.len();
    let year = 2026 - (revision % 8) as i32;
    let date = Date::ymd(year, 1, 15).working().min(last_day());
    let title = if revision == 0 {
        name.to_string()
    } else {
        format!("{name}（{year}年版）")
    };
    let code = format!(
        "4104-{}-{}-{:03}",
        dept_code(department),
        power_type_code(power_type),
        i + 1
    );
    let mut doc = Doc::new("power", &title, date, department, None);
    doc.field("code", &code);
    doc.field("power_type", power_type);
    doc.field("basis", basis);
    doc.list(
        "responsibilities",
        &[
            "受理（立案）责任：公示依据、条件、程序和时限，依法受理或者立案".to_string(),
            "审查（调查）责任：依法审查材料或者调查取证，听取当事人意见".to_string(),
            "决定责任：在法定期限内依法作出决定并说明理由".to_string(),
            "送达与公开责任：依法送达并在规定时间内公开结果".to_string(),
            "事后监管责任：加强事中事后监管，依法处理发现的问题".to_string(),
        ],
    );
    doc.field(
        "accountability",
        "不履行或者不正确履行上述职责，滥用职权、玩忽职守、徇私舞弊，或者在行使权力过程中索取、收受他人财物的，依法依规追究责任",
    );
    let b = &mut doc.body;
    let _ = writeln!(
        b,
        "**事项名称：** {name}\n\n**权力类型：** {power_type}\n\n**实施依据：** {basis}\n\n**实施主体：** {}\n",
        match department {
            "zjj" => "平顶山市住房和城乡建设局",
            "jtj" => "平顶山市交通运输局",
            "slj" => "平顶山市水利局",
            "czj" => "平顶山市财政局",
            "zrzy" => "平顶山市自然资源和规划局",
            "gzw" => "平顶山市人民政府国有资产监督管理委员会",
            _ => "平顶山市公共资源交易管理委员会办公室",
        }
    );
    let _ = writeln!(
        b,
        "**办理时限：** 法定时限{}个工作日，承诺时限{}个工作日。\n\n**责任事项：** 受理（立案）、审查（调查）、决定、送达与公开、事后监管各环节均明确责任人员和办理时限，实行全过程留痕和可回溯管理。\n\n**监督方式：** 接受纪检监察机关、审计机关和社会公众监督，办理结果在本网公开。\n\n本事项依据法律法规的立改废情况实行动态调整，调整后的权责清单在本网[权责清单](/powers/)栏目公布。对本事项的实施有意见或建议的，可以通过本网[在线提交](/submit)反映。",
        rng.range(15, 30),
        rng.range(3, 12)
    );
    out.write(4, &format!("pw-{:06}", i + 1), &doc.text())
}

fn write_inspection(ctx: &mut Context, out: &mut Out) -> io::Result<()> {
    let rng = &mut ctx.rng;
    let department = *rng.pick(&["zjj", "zjj", "jtj", "slj", "czj", "zrzy", "gongguan"]);
    let company = if department != "gongguan" && rng.chance(30) {
        rng.pick(&ctx.companies.agencies).clone()
    } else {
        ctx.companies.for_department(rng, department)
    };
    let checked = random_day(rng, first_day(), last_day().add(-3));
    let published = checked.add(rng.range(3, 20)).working().min(last_day());
    let method = *rng.pick(&["网络监测", "书面检查", "电子化检查", "实地核查"]);
    let finding = match rng.below(100) {
        0..=69 => "未发现问题",
        70..=94 => "责令整改",
        _ => "立案查处",
    };
    let plan = format!(
        "{}{}年度{}“双随机、一公开”抽查计划（第{}批）",
        match department {
            "zjj" => "平顶山市住房和城乡建设局",
            "jtj" => "平顶山市交通运输局",
            "slj" => "平顶山市水利局",
            "czj" => "平顶山市财政局",
            "zrzy" => "平顶山市自然资源和规划局",
            _ => "平顶山市公共资源交易管理委员会办公室",
        },
        checked.year(),
        rng.pick(&["招标投标活动", "市场主体履约行为", "交易主体", "代理机构"]),
        rng.range(1, 4)
    );
    let (region, _, _) = *rng.pick(PLACES);
    let seq = out.counts[5] + 1;
    let title = format!(
        "{}年度“双随机、一公开”抽查结果（{}）",
        checked.year(),
        company.name
    );
    let mut doc = Doc::new("inspection", &title, published, department, Some(region));
    doc.field("plan", &plan);
    doc.field("subject", &company.name);
    doc.field("credit_code", &company.code);
    doc.field("method", method);
    doc.field("finding", finding);
    doc.raw("checked_on", &checked.iso());
    let b = &mut doc.body;
    let _ = writeln!(
        b,
        "依据《{plan}》，从检查对象名录库中随机抽取检查对象，从执法检查人员名录库中随机匹配检查人员，于{}以{method}方式对{}进行了检查。检查人员与检查对象不存在利害关系，检查全过程记录留痕。\n",
        checked.cn(),
        company.name
    );
    let _ = writeln!(
        b,
        "| 检查事项 | 检查情况 |\n|---|---|\n| 资质及许可证件 | {} |\n| 人员到岗履职 | {} |\n| 交易及履约档案 | {} |\n| 信用承诺履行 | {} |\n| 农民工工资支付 | {} |\n",
        rng.pick(&["在有效期内", "齐全有效"]),
        if finding == "未发现问题" { "与投标承诺一致" } else { *rng.pick(&["部分人员未到岗", "与承诺不一致"]) },
        if finding == "未发现问题" { "完整规范" } else { *rng.pick(&["部分资料缺失", "归档不及时"]) },
        rng.pick(&["按承诺履行", "未发现违背承诺情形"]),
        rng.pick(&["按月足额支付", "不涉及", "专户代发，记录完整"]),
    );
    let _ = writeln!(
        b,
        "检查结论：{finding}。{}",
        match finding {
            "未发现问题" => "检查结果记入市场主体信用档案。",
            "责令整改" => "已责令其在30日内完成整改并提交书面报告，检查机关将组织复查。",
            _ => "发现涉嫌违法线索，已依法立案调查，处理结果将在[行政处罚](/penalties/)栏目公开。",
        }
    );
    let _ = writeln!(
        b,
        "\n被检查对象对检查结果有异议的，可自公示之日起15个工作日内向检查机关书面提出。全部抽查结果见本网[双随机抽查结果](/inspections/)栏目。"
    );
    out.write(5, &format!("in-{seq:06}"), &doc.text())
}

fn write_complaint_result(ctx: &mut Context, out: &mut Out, i: usize) -> io::Result<()> {
    let rng = &mut ctx.rng;
    let (code, family, region) = if ctx.project_codes.is_empty() {
        (String::new(), Family::Building, rng.pick(PLACES).0)
    } else {
        ctx.project_codes[rng.below(ctx.project_codes.len() as u64) as usize].clone()
    };
    let filed = random_day(rng, first_day(), last_day().add(-40));
    let decided = filed.add(rng.range(5, 40)).working();
    let published = decided.add(rng.range(0, 3)).working().min(last_day());
    let seq = 1 + i as u32 % 99_999 * 7 + rng.below(7) as u32;
    let (y, m, d) = filed.parts();
    let filed_on = chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a calendar day");
    let case_no = TrackingNumber::new(CaseKind::Complaint, filed_on, seq)
        .expect("a sequence within the day's range")
        .to_string();
    let complainant = rng.pick(&ctx.companies.pools[family.pool()]).clone();
    let outcome = *rng.pick(&[
        "投诉缺乏事实根据和法律依据，驳回投诉",
        "投诉缺乏事实根据和法律依据，驳回投诉",
        "投诉成立，责令招标人（采购人）重新组织评审",
        "投诉部分成立，责令改正",
        "投诉人撤回投诉，终止处理",
    ]);
    let department = family.department();
    let title = format!("关于{}投诉的处理决定（{}）", complainant.name, case_no);
    let mut doc = Doc::new(
        "complaint-result",
        &title,
        published,
        department,
        Some(region),
    );
    doc.field("case_no", &case_no);
    doc.field("outcome", outcome);
    doc.raw("decision_date", &decided.iso());
    let b = &mut doc.body;
    let respondent = if family.is_procurement() {
        "采购人、采购代理机构"
    } else {
        "招标人、招标代理机构"
    };
    let _ = writeln!(
        b,
        "**投诉人：** {}\n\n**被投诉人：** 本项目{respondent}\n",
        complainant.name
    );
    if !code.is_empty() {
        let _ = writeln!(b, "**相关项目：** [{code}](/projects/{code}/)\n");
    }
    let _ = writeln!(
        b,
        "**投诉事项：** 投诉人认为{}，请求{}。\n",
        rng.pick(&[
            "评标委员会对其投标文件的否决理由不成立",
            "第一中标候选人的业绩不满足招标文件要求",
            "招标文件设置的技术参数具有倾向性",
            "评分过程存在计算错误",
        ]),
        rng.pick(&["重新评审", "取消第一中标候选人资格", "修改招标文件"])
    );
    let _ = writeln!(
        b,
        "**调查情况：** 本机关于{}受理投诉后，调取了{}，听取了投诉人、被投诉人的陈述和申辩，必要时组织了原评审人员复核。\n\n**处理依据：** {}。\n\n**处理决定：** {outcome}。\n\n投诉处理期间，{}。投诉人对本决定不服的，可以自收到决定书之日起60日内申请行政复议，或者在6个月内提起行政诉讼。",
        filed.add(rng.range(1, 3)).working().cn(),
        rng.pick(&["招标文件、投标文件和评标报告", "采购文件、响应文件和评审录像", "交易平台电子记录"]),
        if family.is_procurement() {
            "《中华人民共和国政府采购法》第五十六条；《政府采购质疑和投诉办法》第二十九条至第三十二条"
        } else {
            "《中华人民共和国招标投标法实施条例》第六十一条；《工程建设项目招标投标活动投诉处理办法》第二十条"
        },
        rng.pick(&["本机关依法通知暂停了相关交易活动", "相关交易活动未暂停", "被投诉人按要求暂停了合同签订"])
    );
    out.write(6, &format!("cp-{:06}", i + 1), &doc.text())
}
