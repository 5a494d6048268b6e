"""Name pools for demo data: surnames with frequency weights, given-name characters, pinyin.

Weights are rough per-10,000 shares of the most common surnames (national rankings, with a few
Zhejiang surnames such as 应, 楼, 俞 raised). Pinyin was produced once with pypinyin and checked by
hand for surname readings (曾 zeng, 单 shan, 查 zha, 覃 qin), so nothing is computed per name at run time.
"""

from __future__ import annotations

from typing import Final

# fmt: off
SURNAMES: Final[tuple[tuple[str, int], ...]] = (
    ("王", 710), ("李", 700), ("张", 670), ("刘", 540), ("陈", 460), ("杨", 310), ("黄", 240), ("赵", 230),
    ("吴", 200), ("周", 190), ("徐", 170), ("孙", 150), ("马", 150), ("朱", 140), ("胡", 130), ("郭", 120),
    ("何", 120), ("林", 115), ("高", 110), ("罗", 105), ("郑", 100), ("梁", 90), ("谢", 80), ("宋", 75),
    ("唐", 75), ("许", 70), ("韩", 70), ("邓", 70), ("冯", 70), ("曹", 65), ("彭", 65), ("曾", 60),
    ("肖", 60), ("田", 60), ("董", 50), ("潘", 50), ("袁", 50), ("蔡", 45), ("蒋", 45), ("余", 45),
    ("于", 45), ("杜", 40), ("叶", 40), ("程", 40), ("魏", 40), ("苏", 40), ("吕", 40), ("丁", 35),
    ("任", 35), ("卢", 35), ("姚", 35), ("沈", 35), ("钟", 30), ("姜", 30), ("崔", 30), ("谭", 30),
    ("陆", 30), ("范", 30), ("汪", 30), ("廖", 30), ("石", 30), ("金", 30), ("韦", 25), ("贾", 25),
    ("夏", 25), ("付", 25), ("方", 25), ("邹", 25), ("熊", 25), ("白", 25), ("孟", 25), ("秦", 25),
    ("邱", 25), ("侯", 22), ("江", 22), ("尹", 22), ("薛", 22), ("闫", 22), ("段", 20), ("雷", 20),
    ("龙", 20), ("黎", 20), ("史", 20), ("陶", 20), ("贺", 20), ("毛", 20), ("郝", 18), ("顾", 18),
    ("龚", 18), ("邵", 18), ("万", 16), ("覃", 16), ("武", 16), ("钱", 16), ("戴", 16), ("严", 15),
    ("莫", 15), ("孔", 15), ("向", 15), ("常", 14), ("汤", 14), ("康", 14), ("易", 13), ("乔", 13),
    ("赖", 13), ("文", 13), ("应", 15), ("楼", 15), ("俞", 15), ("童", 12), ("祝", 10), ("葛", 10),
    ("华", 10), ("虞", 8), ("詹", 8), ("骆", 10), ("裘", 5), ("屠", 5), ("竺", 3), ("郦", 3),
    ("单", 5), ("查", 3), ("欧阳", 3), ("诸葛", 1), ("司马", 1), ("上官", 1),
)

# Given-name characters by sex and generation (born before 1980 / from 1980).
MALE_OLD: Final = "国建华军明伟平德福根金水荣林海庆生祥忠民昌春成文强勇兵刚志东新宏永光松泉富贵"
MALE_NEW: Final = "浩宇轩睿泽昊然哲航晨瑞铭诚杰涛斌超鹏飞鑫波凯健俊帆旭宁博磊阳辉锋彬亮峰天嘉子一"
FEMALE_OLD: Final = "英秀兰凤琴云菊珍芳娟敏静丽艳霞燕玲红梅莉萍桂香素彩月玉华美"
FEMALE_NEW: Final = "婷雪琳慧颖倩洁丹佳欣怡悦涵萱诗雨思可婉琪晴妍蕾璐瑶菲琳茜露"
# Rare characters that must survive every layer (fonts, search, PDF): 喆 堃 昇 (male), 玥 珺 (female).
RARE_MALE: Final = "喆堃昇"
RARE_FEMALE: Final = "玥珺"

SURNAME_PINYIN: Final[dict[str, str]] = {
    "王": "wang", "李": "li", "张": "zhang", "刘": "liu", "陈": "chen", "杨": "yang", "黄": "huang", "赵": "zhao",
    "吴": "wu", "周": "zhou", "徐": "xu", "孙": "sun", "马": "ma", "朱": "zhu", "胡": "hu", "郭": "guo",
    "何": "he", "林": "lin", "高": "gao", "罗": "luo", "郑": "zheng", "梁": "liang", "谢": "xie", "宋": "song",
    "唐": "tang", "许": "xu", "韩": "han", "邓": "deng", "冯": "feng", "曹": "cao", "彭": "peng", "曾": "zeng",
    "肖": "xiao", "田": "tian", "董": "dong", "潘": "pan", "袁": "yuan", "蔡": "cai", "蒋": "jiang", "余": "yu",
    "于": "yu", "杜": "du", "叶": "ye", "程": "cheng", "魏": "wei", "苏": "su", "吕": "lv", "丁": "ding",
    "任": "ren", "卢": "lu", "姚": "yao", "沈": "shen", "钟": "zhong", "姜": "jiang", "崔": "cui", "谭": "tan",
    "陆": "lu", "范": "fan", "汪": "wang", "廖": "liao", "石": "shi", "金": "jin", "韦": "wei", "贾": "jia",
    "夏": "xia", "付": "fu", "方": "fang", "邹": "zou", "熊": "xiong", "白": "bai", "孟": "meng", "秦": "qin",
    "邱": "qiu", "侯": "hou", "江": "jiang", "尹": "yin", "薛": "xue", "闫": "yan", "段": "duan", "雷": "lei",
    "龙": "long", "黎": "li", "史": "shi", "陶": "tao", "贺": "he", "毛": "mao", "郝": "hao", "顾": "gu",
    "龚": "gong", "邵": "shao", "万": "wan", "覃": "qin", "武": "wu", "钱": "qian", "戴": "dai", "严": "yan",
    "莫": "mo", "孔": "kong", "向": "xiang", "常": "chang", "汤": "tang", "康": "kang", "易": "yi", "乔": "qiao",
    "赖": "lai", "文": "wen", "应": "ying", "楼": "lou", "俞": "yu", "童": "tong", "祝": "zhu", "葛": "ge",
    "华": "hua", "虞": "yu", "詹": "zhan", "骆": "luo", "裘": "qiu", "屠": "tu", "竺": "zhu", "郦": "li",
    "单": "shan", "查": "zha", "欧阳": "ouyang", "诸葛": "zhuge", "司马": "sima", "上官": "shangguan",
}

GIVEN_PINYIN: Final[dict[str, str]] = {
    "一": "yi", "东": "dong", "丹": "dan", "丽": "li", "云": "yun", "亮": "liang", "伟": "wei", "佳": "jia",
    "俊": "jun", "倩": "qian", "健": "jian", "光": "guang", "兰": "lan", "兵": "bing", "军": "jun", "凤": "feng",
    "凯": "kai", "刚": "gang", "勇": "yong", "华": "hua", "博": "bo", "可": "ke", "哲": "zhe", "喆": "zhe",
    "嘉": "jia", "国": "guo", "堃": "kun", "天": "tian", "妍": "yan", "娟": "juan", "婉": "wan", "婷": "ting",
    "子": "zi", "宁": "ning", "宇": "yu", "宏": "hong", "富": "fu", "峰": "feng", "帆": "fan", "平": "ping",
    "庆": "qing", "建": "jian", "强": "qiang", "彩": "cai", "彬": "bin", "德": "de", "志": "zhi", "忠": "zhong",
    "思": "si", "怡": "yi", "悦": "yue", "慧": "hui", "成": "cheng", "敏": "min", "文": "wen", "斌": "bin",
    "新": "xin", "旭": "xu", "昇": "sheng", "昊": "hao", "昌": "chang", "明": "ming", "春": "chun", "晨": "chen",
    "晴": "qing", "月": "yue", "杰": "jie", "松": "song", "林": "lin", "根": "gen", "桂": "gui", "梅": "mei",
    "欣": "xin", "民": "min", "水": "shui", "永": "yong", "泉": "quan", "波": "bo", "泽": "ze", "洁": "jie",
    "浩": "hao", "海": "hai", "涛": "tao", "涵": "han", "然": "ran", "燕": "yan", "玉": "yu", "玥": "yue",
    "玲": "ling", "珍": "zhen", "珺": "jun", "琪": "qi", "琳": "lin", "琴": "qin", "瑞": "rui", "瑶": "yao",
    "璐": "lu", "生": "sheng", "睿": "rui", "磊": "lei", "祥": "xiang", "福": "fu", "秀": "xiu", "素": "su",
    "红": "hong", "美": "mei", "航": "hang", "艳": "yan", "芳": "fang", "英": "ying", "茜": "qian", "荣": "rong",
    "莉": "li", "菊": "ju", "菲": "fei", "萍": "ping", "萱": "xuan", "蕾": "lei", "诗": "shi", "诚": "cheng",
    "贵": "gui", "超": "chao", "轩": "xuan", "辉": "hui", "金": "jin", "鑫": "xin", "铭": "ming", "锋": "feng",
    "阳": "yang", "雨": "yu", "雪": "xue", "霞": "xia", "露": "lu", "静": "jing", "颖": "ying", "飞": "fei",
    "香": "xiang", "鹏": "peng",
}
# fmt: on
