"""Realistic merged data for every shipped form: previews, tests, benchmarks and the demo.

The names use rare characters (喆 堃 玥 珺 昇 瑄 甦) and dates written with 〇, which a GB2312
font cannot draw, so a rendering that loses characters shows up at once.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone
from typing import Any

_BEIJING = timezone(timedelta(hours=8))

_QA_BASE: list[dict[str, str]] = [
    {"q": "你的基本情况？", "a": "我叫王喆，一九八八年五月六日出生，住青石镇堃玥村3组12号，务农。"},
    {
        "q": "青石镇堃玥村3组12号东侧的彩钢结构建筑物是谁搭建的？",
        "a": "是我搭建的，二〇二六年二月二十日开始搭，二月二十四日搭好。",
    },
    {"q": "该建筑物的面积和用途？", "a": "长9米、宽5米，大约45平方米，用来堆放农具和化肥。"},
    {"q": "搭建前是否办理了乡村建设规划许可证？", "a": "没有办理，我不知道搭棚子也要办许可证。"},
    {
        "q": "2026年3月10日本机关向你送达了责令限期改正通知书，要求你在3月25日前自行拆除，你拆除了吗？",
        "a": "还没有拆，里面的东西太多，一时没有地方放。",
    },
    {"q": "你还有什么需要补充的吗？", "a": "没有了，我愿意尽快拆除，希望从轻处理。"},
]


def _qa(rounds: int) -> list[dict[str, str]]:
    out = list(_QA_BASE)
    for i in range(len(out), rounds):
        out.append(
            {
                "q": f"（第{i + 1}问）请你再详细说明一下搭建过程中使用的材料、施工人员和费用情况。",
                "a": "材料是在镇上建材店买的彩钢板和角铁，施工是请邻村的师傅做的，"
                "一共花了大约一万二千元，有收据，我回去找一找再交给你们。",
            }
        )
    return out


def sample_data(*, qa_rounds: int = 6) -> dict[str, Any]:
    """A fresh dict of merged case data that fills every required field of every shipped form.

    ``qa_rounds`` makes the inquiry record longer (several pages) for layout checks.
    """
    data: dict[str, Any] = {
        "organ": {
            "name": "青石镇人民政府",
            "doc_prefix": "青石综执",
            "address": "某某县青石镇人民路18号",
            "phone": "0571-88886666",
            "contact_person": "李珺",
            "reconsideration_organ": "某某县人民政府",
            "court": "某某县人民法院",
        },
        "party": {
            "kind": "natural_person",
            "name": "王喆",
            "sex": "男",
            "id_type": "居民身份证",
            "id_number": "330102198805061234",
            "address": "某某县青石镇堃玥村3组12号",
            "phone": "13800001234",
        },
        "case": {
            "case_number": "青石综执立〔2026〕第12号",
            "cause": "未取得乡村建设规划许可证擅自建设",
            "source": "巡查",
            "received_date": date(2026, 2, 25),
            "filing_date": date(2026, 3, 2),
            "violation_date": date(2026, 2, 20),
            "place": "青石镇堃玥村3组12号东侧",
            "brief": "2026年2月25日巡查发现当事人在自家宅基地东侧搭建彩钢结构建筑物约45平方米，未取得乡村建设规划许可证。",
            "facts": (
                "二〇二六年二月二十日起，当事人王喆在未取得乡村建设规划许可证的情况下，"
                "在青石镇堃玥村3组12号东侧擅自搭建彩钢结构建筑物一处，长9米、宽5米，"
                "占地面积约45平方米，用于堆放农具和化肥。\n"
                "2026年3月10日，本机关责令其于2026年3月25日前自行拆除，当事人逾期未拆除。"
            ),
        },
        "evidence": [
            {"name": "现场检查笔录1份", "kind": "现场笔录", "proves": "违法建筑物的位置、结构和面积"},
            {"name": "询问笔录1份", "kind": "当事人的陈述", "proves": "搭建时间、用途、未办理许可"},
            {"name": "现场照片12张", "kind": "视听资料", "proves": "违法建筑物现状"},
            {"name": "当事人身份证复印件1份", "kind": "书证", "proves": "当事人身份"},
            {"name": "责令限期改正通知书及送达回证", "kind": "书证", "proves": "已责令改正，逾期未改正"},
        ],
        "officers": [
            {"name": "赵昇", "certificate_no": "33010012345"},
            {"name": "钱瑄", "certificate_no": "33010012346"},
        ],
        "decision": {
            "violated_provisions": "《中华人民共和国城乡规划法》第四十一条第三款",
            "penalty_basis": "《中华人民共和国城乡规划法》第六十五条",
            "discretion_basis": "《某某县乡村规划行政处罚裁量基准（2025年版）》第3项",
            "discretion_tier": "一般",
            "discretion_reason": (
                "当事人系初次违法，违法建筑面积在30至60平方米之间，经责令限期拆除后逾期未拆除，"
                "无从轻、减轻情形，依该基准第3项第（二）目，处罚款2000元。"
            ),
            "penalty_content": "1. 责令限期拆除违法建筑物；\n2. 罚款人民币贰仟元整。",
            "fine_fen": 200000,
            "statement_result": "你在法定期限内未提出陈述、申辩。",
            "correction_basis": "《中华人民共和国城乡规划法》第六十五条",
            "correction_content": "于2026年4月30日前自行拆除上述违法建筑物",
            "correction_deadline": date(2026, 4, 30),
            "payment_place": "某某农村商业银行各营业网点（凭《非税收入一般缴款书》缴纳）",
            "payment_online": "扫描《非税收入一般缴款书》上的二维码",
        },
        "prior_notice": {
            "kind": "行政处罚事先告知书",
            "number": "青石综执罚告字〔2026〕第5号",
            "served_date": date(2026, 3, 20),
            "statement_period": "三个工作日",
            "statement_place": "青石镇综合行政执法队办公室（人民路18号）",
            "hearing_right": True,
        },
        "filing": {
            "proposal": "建议立案",
            "basis": "当事人涉嫌违反《中华人民共和国城乡规划法》第四十一条第三款，属于本镇赋权事项，"
            "在追责时效内，依法应予行政处罚。",
            "handler_opinion": "建议立案调查。",
        },
        "correction": {
            "kinds": ["停止违法行为", "限期拆除"],
            "detail": "立即停止搭建，自行拆除彩钢结构建筑物并清运建筑垃圾。",
            "deadline": date(2026, 3, 25),
            "report_required": True,
            "report_deadline": date(2026, 3, 26),
        },
        "record": {
            "start_time": datetime(2026, 3, 1, 9, 30, tzinfo=_BEIJING),
            "end_time": datetime(2026, 3, 1, 10, 15, tzinfo=_BEIJING),
            "place": "青石镇堃玥村3组12号东侧",
            "object": "青石镇堃玥村3组12号东侧彩钢结构建筑物",
            "person": {
                "name": "王喆",
                "sex": "男",
                "id_number": "330102198805061234",
                "unit": "无",
                "address": "某某县青石镇堃玥村3组12号",
                "phone": "13800001234",
                "relation": "当事人本人",
                "role": "房屋所有人",
            },
            "witnesses": [{"name": "孙甦", "unit": "堃玥村村民委员会"}],
            "recorder": "钱瑄",
            "recusal_answer": "听清楚了，看清楚了，不申请回避。",
            "content": (
                "现场位于青石镇堃玥村3组12号东侧，有一处彩钢结构建筑物，长9米、宽5米、高3.2米，"
                "占地约45平方米，用作仓库，内堆放农具和化肥。当事人未能出示乡村建设规划许可证。"
                "执法人员对现场进行了拍照，共12张。"
            ),
            "attachments": ["现场照片12张", "现场示意图1张"],
            "qa": _qa(qa_rounds),
            "service_address": "某某县青石镇堃玥村3组12号",
            "service_phone": "13800001234",
        },
        "delivery": {
            "documents": [{"name": "行政处罚决定书", "number": "青石综执罚决字〔2026〕第8号"}],
            "addressee": "王喆",
            "place": "某某县青石镇堃玥村3组12号",
            "mode": "直接送达",
            "time": datetime(2026, 4, 3, 10, 0, tzinfo=_BEIJING),
            "servers": [
                {"name": "赵昇", "certificate_no": "33010012345"},
                {"name": "钱瑄", "certificate_no": "33010012346"},
            ],
        },
        "doc": {"number": "青石综执罚决字〔2026〕第8号", "date": date(2026, 4, 2)},
        "input": {},
    }
    return copy.deepcopy(data)
