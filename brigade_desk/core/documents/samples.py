"""Realistic merged data for every shipped form: previews, tests, benchmarks and the demo.

The names use rare characters (喆 堃 玥 珺 昇 瑄 甦) and dates written with 〇, which a GB2312
font cannot draw, so a rendering that loses characters shows up at once.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any

from brigade_desk.core.documents.definition import FormDef
from brigade_desk.core.documents.values import lookup

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
            "unit_name": "青石镇综合行政执法队",
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
            "number": "青石综执罚决字〔2026〕第8号",
            "date": date(2026, 4, 2),
            "served_date": date(2026, 4, 3),
            "no_penalty_ground": "系初次违法且危害后果轻微并及时改正",
            "no_penalty_basis": "《中华人民共和国行政处罚法》第三十三条第一款",
            "education": "执法人员向你宣讲了《中华人民共和国城乡规划法》的有关规定，指出未经许可擅自建设的危害，你表示今后严格遵守。",
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
            "not_filing_reason": "违法事实不能成立",
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
        "preservation": {
            "reason": "当事人存放在违法建筑物内的建筑材料可能被转移，证据可能灭失",
            "basis": "《中华人民共和国行政处罚法》第五十六条",
            "start_date": date(2026, 3, 2),
            "end_date": date(2026, 3, 10),
            "manner": "就地保存",
            "place": "青石镇堃玥村3组12号东侧彩钢结构建筑物内",
            "custodian": "王喆",
            "notice_number": "青石综执保字〔2026〕第1号",
            "handling": ["记录、复制、拍照后解除保存"],
            "handling_detail": "已对保存的建筑材料逐一拍照、登记，照片附卷，解除先行登记保存。",
            "handling_basis": "《中华人民共和国行政处罚法》第五十六条",
            "items": [
                {
                    "name": "彩钢夹芯板",
                    "spec": "950mm×50mm",
                    "quantity": "20",
                    "unit": "张",
                    "condition": "未使用",
                    "result": "拍照登记后退还",
                },
                {
                    "name": "镀锌角铁",
                    "spec": "50mm×50mm×5mm",
                    "quantity": "36",
                    "unit": "根",
                    "condition": "未使用",
                    "result": "拍照登记后退还",
                },
            ],
        },
        "seizure": {
            "measure": "扣押",
            "reason": "当事人拒不停止建设，继续使用施工机具，可能造成违法建筑物扩大",
            "basis": "《中华人民共和国城乡规划法》第六十八条、《中华人民共和国行政强制法》第二十二条、第二十四条",
            "days": 30,
            "start_date": date(2026, 3, 12),
            "end_date": date(2026, 4, 10),
            "place": "青石镇人民政府暂扣物品仓库（人民路18号）",
            "custodian": "孙甦",
            "items": [
                {
                    "name": "电焊机",
                    "spec": "ZX7-250",
                    "quantity": "1",
                    "unit": "台",
                    "condition": "八成新",
                    "note": "当事人所有",
                },
                {
                    "name": "切割机",
                    "spec": "J3G-400",
                    "quantity": "1",
                    "unit": "台",
                    "condition": "七成新",
                    "note": "",
                },
            ],
        },
        "investigation": {
            "outcome": "给予行政处罚",
            "proposal": "建议责令当事人限期拆除违法建筑物，并处罚款人民币2000元。",
            "fine_fen": 200000,
            "major": False,
            "major_reason": "",
            "report_date": date(2026, 3, 16),
            "unit_opinion": "同意承办人意见，报请负责人审批。",
        },
        "statement": {
            "content": "我承认搭建了彩钢棚，但我是初次违法，而且愿意尽快拆除，希望从轻处罚。",
            "evidence": "无",
            "review_result": "不予采纳",
            "review_reason": "当事人经责令限期拆除后逾期未拆除，不符合从轻处罚的情形，其陈述申辩理由不成立，不予采纳。",
        },
        "hearing": {
            "request_date": date(2026, 3, 22),
            "time": datetime(2026, 4, 8, 9, 30, tzinfo=_BEIJING),
            "place": "青石镇人民政府三楼会议室",
            "form": "公开举行",
            "presider": "孙甦",
            "officers": [{"name": "李珺", "unit": "青石镇司法所"}],
            "clerk": "周玥",
            "agents": [{"name": "王堃", "unit": "某某律师事务所", "relation": "委托代理人"}],
            "witnesses": [],
            "recusal_answer": "不申请回避。",
            "start_time": datetime(2026, 4, 8, 9, 30, tzinfo=_BEIJING),
            "end_time": datetime(2026, 4, 8, 11, 0, tzinfo=_BEIJING),
            "investigator_statement": "当事人在未取得乡村建设规划许可证的情况下擅自搭建彩钢结构建筑物约45平方米，"
            "经责令限期拆除后逾期未拆除，有现场检查笔录、询问笔录、现场照片等证据证明，建议罚款2000元。",
            "party_statement": "对事实没有异议，但认为罚款偏高，请求从轻处罚。",
            "cross_examination": "代理人对证据的真实性无异议，对罚款数额有异议。",
            "last_statement": "愿意在一个月内自行拆除，请求从轻处罚。",
            "report_facts": "当事人未取得乡村建设规划许可证擅自搭建彩钢结构建筑物约45平方米，经责令限期拆除后逾期未拆除。",
            "investigator_opinion": "违法事实清楚，证据确凿，建议罚款人民币2000元。",
            "party_opinion": "对事实无异议，认为罚款偏高，请求从轻处罚。",
            "conclusion": "违法事实清楚，当事人的申辩理由不足以从轻处罚，建议维持原拟处罚意见。",
            "report_date": date(2026, 4, 9),
        },
        "legal_review": {
            "submitted_date": date(2026, 4, 10),
            "unit_proposal": "当事人未取得乡村建设规划许可证擅自建设，经责令限期拆除后逾期未拆除，"
            "拟责令限期拆除违法建筑物，并处罚款人民币2000元。",
            "fine_fen": 200000,
            "checklist": [
                {"item": "执法主体是否合法，是否超越法定权限", "result": "符合", "note": ""},
                {"item": "执法人员是否具备执法资格", "result": "符合", "note": "二人均持有效执法证"},
                {"item": "当事人基本情况是否清楚", "result": "符合", "note": ""},
                {"item": "案件事实是否清楚，证据是否合法充分", "result": "符合", "note": ""},
                {"item": "适用法律、法规、规章是否准确", "result": "符合", "note": ""},
                {"item": "裁量基准运用是否适当", "result": "符合", "note": ""},
                {"item": "程序是否合法", "result": "符合", "note": "已告知并举行听证"},
                {"item": "执法文书是否规范、齐备", "result": "符合", "note": ""},
                {"item": "是否涉嫌犯罪需要移送司法机关", "result": "否", "note": ""},
            ],
            "opinion_type": "同意",
            "opinion": "经审核，本案事实清楚，证据确凿，适用法律正确，程序合法，裁量适当，同意承办机构的处理意见。",
            "reviewers": [{"name": "李珺", "qualification": "A20183301234567"}],
            "completed_date": date(2026, 4, 13),
            "heads": [{"name": "周瑄"}],
            "signatures": [
                {
                    "role": "审核人",
                    "name": "李珺",
                    "text": "2026年4月13日 10:20 电子签名，公钥指纹 3F1A:09C2:77B4:E5D0",
                },
                {
                    "role": "法制机构负责人",
                    "name": "周瑄",
                    "text": "2026年4月13日 10:20 电子签名，公钥指纹 A41C:5E92:0B3D:FF17",
                },
            ],
            "package_hash": "6f1c2b0e9d7a4c3b8e5f1a2d3c4b5a697887766554433221100ffeeddccbbaa99",
        },
        "discussion": {
            "start_time": datetime(2026, 4, 14, 15, 0, tzinfo=_BEIJING),
            "end_time": datetime(2026, 4, 14, 15, 40, tzinfo=_BEIJING),
            "place": "青石镇人民政府二楼会议室",
            "presider": "吴镕",
            "leaders": [{"name": "吴镕", "post": "镇长"}, {"name": "郑赟", "post": "副镇长"}],
            "recorder": "周玥",
            "attendees": [{"name": "赵昇", "post": "执法队员"}],
            "case_report": "承办人员汇报了案件事实、证据、听证情况和法制审核意见，建议罚款人民币2000元。",
            "opinions": [
                {"name": "吴镕", "opinion": "事实清楚，同意罚款2000元，并责令限期拆除。"},
                {"name": "郑赟", "opinion": "同意。"},
            ],
            "conclusion": "责令当事人限期拆除违法建筑物，并处罚款人民币2000元。",
            "confirmations": [
                {"name": "吴镕", "text": "2026年4月14日 15:45 电子签名，公钥指纹 7C2E:41AA:9D03:B6F8"},
                {"name": "郑赟", "text": "纸质签名（案卷第23页）"},
            ],
            "content_hash": "0a9b8c7d6e5f40312233445566778899aabbccddeeff00112233445566778899",
        },
        "simple": {
            "time": datetime(2026, 3, 5, 10, 20, tzinfo=_BEIJING),
            "statement": "当事人未提出陈述、申辩。",
            "payment_manner": "当场缴纳",
            "receipt_no": "浙财罚0012345",
        },
        "service_address": {
            "address": "某某县青石镇堃玥村3组12号",
            "postal_code": "311300",
            "phone": "13800001234",
            "electronic_consent": True,
            "electronic_address": "手机号码13800001234",
            "receiver": "王堃",
            "receiver_phone": "13900005678",
        },
        "deferral": {
            "application_date": date(2026, 4, 10),
            "kind": "分期缴纳",
            "reason": "家庭成员重病住院，一次缴清罚款确有困难。",
            "deadline": date(2026, 6, 30),
            "instalments": [
                {"period": "第一期", "amount": "壹仟元整（¥1,000.00）", "deadline": "2026年5月10日"},
                {"period": "第二期", "amount": "壹仟元整（¥1,000.00）", "deadline": "2026年6月10日"},
            ],
        },
        "demand": {
            "late_fine_fen": 90000,
            "late_fine_until": date(2026, 5, 3),
            "total_fen": 290000,
            "deadline": date(2026, 5, 20),
            "statement_period": "三日",
            "number": "青石综执催字〔2026〕第2号",
            "served_date": date(2026, 5, 6),
        },
        "enforcement": {
            "organ_head": "吴镕",
            "organ_head_post": "镇长",
            "party_opinion": "被申请人未提出陈述、申辩。",
            "remedy_status": "被申请人在法定期限内未申请行政复议，也未提起行政诉讼",
            "execution_object": "罚款人民币贰仟元整及加处罚款人民币贰仟元整。",
            "attachments": [
                "1. 行政处罚决定书及送达回证",
                "2. 催告书及送达回证",
                "3. 作出决定的事实、理由和依据（案件调查终结报告）",
                "4. 当事人的意见及催告情况",
            ],
        },
        "closing": {
            "closure_type": "作出行政处罚决定并执行完毕",
            "correction_status": "当事人已于2026年4月28日自行拆除违法建筑物",
            "payment_status": "已于2026年4月15日缴清罚款人民币2000元",
            "receipt_numbers": "浙财罚0012399",
            "property_disposal": "无",
            "coercion_status": "无",
            "remedy_status": "当事人未申请行政复议，未提起行政诉讼",
            "handler_opinion": "本案处罚决定已执行完毕，建议结案。",
            "unit_opinion": "同意结案。",
            "legal_opinion": "同意。",
            "approval_opinion": "同意结案。",
        },
        "archive": {
            "title": "王喆未取得乡村建设规划许可证擅自建设案",
            "closing_date": date(2026, 5, 8),
            "retention": "永久",
            "doc_count": 14,
            "page_count": 26,
            "text_pages": 22,
            "drawing_pages": 1,
            "photo_pages": 3,
            "archive_no": "20260003",
            "volume": "正卷",
            "notes": "",
            "filer": "周玥",
            "filed_date": date(2026, 5, 9),
            "checker": "李珺",
            "items": [
                {"title": "立案审批表", "number": "", "date": "20260302", "pages": "1", "note": ""},
                {
                    "title": "行政处罚决定书",
                    "number": "青石综执罚决字〔2026〕第8号",
                    "date": "20260402",
                    "pages": "2-3",
                    "note": "",
                },
                {"title": "送达回证", "number": "", "date": "20260403", "pages": "4", "note": ""},
            ],
        },
        "corrects": {
            "title": "行政处罚决定书",
            "number": "青石综执罚决字〔2026〕第8号",
            "date": date(2026, 4, 2),
        },
        "doc": {"number": "青石综执罚决字〔2026〕第8号", "date": date(2026, 4, 2)},
        "input": {
            "error_text": "住某某县青石镇堃玥村3组21号",
            "corrected_text": "住某某县青石镇堃玥村3组12号",
            "correction_reason": "当事人住址门牌号书写有误",
        },
    }
    return copy.deepcopy(data)


def sample_inputs(form: FormDef, names: Iterable[str]) -> dict[str, Any]:
    """Values for the named fields of ``form`` taken from :func:`sample_data` (by each field's data
    path): what a person would type at generation, for tests, benchmarks and the demo."""
    data = sample_data()
    out: dict[str, Any] = {}
    for name in names:
        fd = form.fields[name]
        value = lookup(data, fd.source)
        if value is not None:
            out[name] = value
    return out
