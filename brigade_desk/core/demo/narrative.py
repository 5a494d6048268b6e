"""Word pools and sentence templates for demo names, addresses and case facts.

Everything here is plain data; the generator picks from it with its seeded random source.
"""

from __future__ import annotations

from typing import Final

# Share of cases by source (案件来源), roughly as a township brigade sees them.
SOURCE_WEIGHTS: Final[dict[str, float]] = {
    "巡查发现": 45,
    "投诉举报": 18,
    "12345热线转办": 14,
    "网格员上报": 12,
    "部门移送": 4,
    "上级交办": 3,
    "媒体": 1,
    "其他": 3,
}

# First sentence of the facts, by source. Fields: {date} {village} {dept} {county}.
SOURCE_OPENINGS: Final[dict[str, str]] = {
    "巡查发现": "{date}，本机关执法人员在{village}日常巡查时发现该线索。",
    "投诉举报": "{date}，本机关接到群众投诉，反映{village}存在违法行为。",
    "12345热线转办": "{date}，本机关收到12345政务服务便民热线转办工单，反映{village}存在违法行为。",
    "网格员上报": "{date}，{village}网格员通过基层治理平台上报该线索。",
    "部门移送": "{date}，{dept}将该案件线索移送本机关。",
    "上级交办": "{date}，{county}综合行政执法局将该案件线索交办本机关。",
    "媒体": "{date}，本机关从当地媒体报道中发现该线索。",
    "其他": "{date}，本机关获得该案件线索。",
}
DEFAULT_OPENING: Final = "{date}，本机关获得该案件线索。"

# Days between the act and the report, by source: (probability of same day, max lag).
SOURCE_LAG: Final[dict[str, tuple[float, int]]] = {
    "巡查发现": (0.75, 3),
    "投诉举报": (0.35, 10),
    "12345热线转办": (0.30, 12),
    "网格员上报": (0.55, 5),
    "部门移送": (0.05, 60),
    "上级交办": (0.05, 45),
    "媒体": (0.10, 20),
    "其他": (0.30, 30),
}

# How often each field (执法领域) turns up in a township brigade's cases; unknown fields get 3.
FIELD_WEIGHTS: Final[dict[str, float]] = {
    "市容环卫": 30,
    "城市道路": 14,
    "大气污染防治": 16,
    "固体废物": 12,
    "村容镇貌": 8,
    "城乡规划": 8,
    "园林绿化": 4,
    "噪声污染防治": 5,
    "消防安全": 4,
    "土地管理": 4,
    "城镇排水": 3,
    "林业": 2,
    "畜禽养殖": 1,
}

# Where violations of a field happen: streets of the town, or fields, hills and village groups.
TOWN_FIELDS: Final = frozenset({"城市道路"})  # 城市道路 only inside the town (镇区 communities)
RURAL_FIELDS: Final = frozenset({"村容镇貌", "城乡规划", "土地管理", "林业", "畜禽养殖"})
RURAL_WORDS: Final = ("秸秆", "农药", "幼林地", "耕地", "养殖")
MIXED_FIELDS: Final = frozenset({"固体废物"})
STREET_SUFFIXES: Final = ("", "{n}号门前", "{n}号旁", "与{other}交叉口", "{n}号附近")

# One detail clause after the violation, by field. {a}: a small quantity drawn per case.
FIELD_DETAILS: Final[dict[str, tuple[str, ...]]] = {
    "市容环卫": ("，影响市容环境", "，现场影响周边环境卫生", "，经劝阻未及时改正"),
    "城市道路": ("，占用道路面积约{a}平方米", "，影响行人和车辆通行", "，占道面积约{a}平方米，经劝阻未改正"),
    "大气污染防治": ("，现场烟雾较大", "，涉及面积约{a}平方米", "，周边居民反映强烈"),
    "固体废物": ("，倾倒量约{a}立方米", "，现场垃圾散落", "，污染周边环境"),
    "村容镇貌": ("，占地约{a}平方米", "，影响村容村貌"),
    "城乡规划": ("，建筑面积约{a}平方米", "，已建成{a}层砖混结构", "，现场正在施工"),
    "园林绿化": ("，涉及绿地约{a}平方米", "，损坏树木{a}株"),
    "噪声污染防治": ("，经劝阻后未改正", "，影响周边居民休息"),
    "消防安全": ("，经现场检查属实", "，存在火灾隐患"),
    "土地管理": ("，占地面积约{a}平方米", "，现场已浇筑地基"),
    "城镇排水": ("，污水直排雨水管网", "，排水口位于店铺后侧"),
    "林业": ("，涉及林木约{a}株", "，毁坏幼林约{a}平方米"),
    "畜禽养殖": ("，存栏约{a}头", "，养殖棚舍面积约{a}平方米"),
}
DEFAULT_DETAILS: Final = ("", "，经现场检查属实")

PHONE_PREFIXES: Final = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "166", "173", "175", "176", "177", "178",
    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
    "191", "193", "195", "198", "199",
)  # fmt: skip

# Characters for company trade names (字号): two are drawn per company.
BRAND_CHARS: Final = (
    "恒鑫源达宏盛华泰永安正金凯瑞丰天诚宇博远中兴嘉禾润德隆昌盈信通利新锐腾飞绿洲明辉汇聚"
    "晟和顺祥富康乐佳美宝海山川江溪青竹梅兰晨星辰光耀辰航拓创联益欣启翔峰磊森林"
)
INDUSTRIES: Final = (
    "建材", "建筑工程", "竹木制品", "农业开发", "食品", "物流", "装饰工程", "机械", "茶业", "旅游开发",
    "环境工程", "劳务", "石材", "混凝土", "五金", "纺织", "餐饮管理", "物业管理", "汽车服务", "家具",
    "电子科技", "生物科技", "园林绿化", "市政工程", "再生资源", "农产品", "酒店管理", "文化传媒", "塑料制品",
    "新材料",
)  # fmt: skip
COMPANY_FORMS: Final = (("有限公司", 92), ("有限责任公司", 5), ("股份有限公司", 3))
CROPS: Final = (
    "茶叶",
    "笋竹",
    "蔬菜",
    "水果",
    "中药材",
    "生猪养殖",
    "香榧",
    "山核桃",
    "粮食",
    "食用菌",
    "蜂业",
)
NONPROFIT_KINDS: Final = ("幼儿园", "培训学校", "养老服务中心", "文化艺术培训中心")
ASSOCIATIONS: Final = ("个体劳动者协会", "餐饮行业协会", "农家乐协会", "茶叶协会", "竹产业协会", "建筑业协会")

# Individual businesses (个体工商户): 字号 = town + nickname + shop type, e.g. 青溪镇阿强小吃店.
SHOP_TYPES: Final = (
    "小吃店", "水果店", "五金店", "便利店", "理发店", "烧烤店", "面馆", "农家乐", "汽车修理店", "建材店",
    "早餐店", "快餐店", "副食品店", "服装店", "手机维修店", "废品收购站", "装饰材料店", "饭店", "茶馆",
    "洗车店", "粮油店", "日用品店", "家电维修部", "电动车行", "棋牌室",
)  # fmt: skip
SHOP_WORDS: Final = (
    "好运来",
    "顺发",
    "鑫源",
    "百味",
    "家乐",
    "金福",
    "兴旺",
    "惠民",
    "四季",
    "老街",
    "阳光",
    "吉祥",
)

XIAOQU: Final = ("花苑", "新村", "家园", "锦苑", "嘉园", "公寓")

CERTIFICATE_PREFIX: Final = "ZJ"
