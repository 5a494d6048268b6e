"""`brigade-desk doc …`, `brigade-desk casefile` and `brigade-desk forms …`: documents on the command line.

doc render --case CASE_NO --type FORM_ID --format pdf|docx -o FILE   a draft (marked 草稿)
doc verify FILE.pdf                                                 exit 0 genuine, 1 otherwise
casefile --case CASE_NO -o FILE.pdf                                 the case file and its self-check
forms list | forms check                                            the forms this store uses
forms pack import DIR | forms pack show | forms pack clear          the county's form pack
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_PROBLEM = 1


def _assignment(text: str) -> tuple[str, str]:
    name, eq, value = text.partition("=")
    if not eq or not name.strip():
        raise argparse.ArgumentTypeError(f"应写成 名称=值，收到“{text}”")
    return name.strip(), value


def add_document_parsers(sub: Any) -> None:
    doc = sub.add_parser("doc", help="执法文书：生成草稿、核验真伪").add_subparsers(
        dest="doc_command", metavar="操作"
    )
    p = doc.add_parser("render", help="按案件生成文书草稿（PDF 或 DOCX）")
    p.add_argument("--case", required=True, metavar="CASE_NO", help="案号，如 青综执立字〔2026〕第12号")
    p.add_argument("--type", required=True, metavar="FORM_ID", help="文书格式编号（brigade-desk forms list）")
    p.add_argument("--format", choices=("pdf", "docx"), default="pdf", help="输出格式（默认 pdf）")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE", help="输出文件")
    p.add_argument(
        "--set",
        action="append",
        type=_assignment,
        default=[],
        metavar="NAME=VALUE",
        help="填写案件记录中没有的项目（可多次使用；列表、金额等可写 JSON，如 fine=50000）",
    )
    p.add_argument("--allow-missing", action="store_true", help="缺少的项目留空白（供手工填写），不报错")
    p = doc.add_parser("verify", help="核验 PDF 是否为本机关签发且未被改动；是则退出码 0，否则 1")
    p.add_argument("file", type=Path, metavar="FILE.pdf")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")

    p = sub.add_parser("casefile", help="组卷：生成案卷 PDF（封面、目录、文书、证据、备考表、书签）并自查")
    p.add_argument("--case", required=True, metavar="CASE_NO", help="案号")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.pdf", help="输出文件")
    p.add_argument("--retention", default="", choices=("", "永久", "定期30年", "定期10年"), help="保管期限")

    forms = sub.add_parser("forms", help="文书格式").add_subparsers(dest="forms_command", metavar="操作")
    forms.add_parser("list", help="列出全部文书格式（含本乡镇的覆盖版本）").add_argument(
        "--json", action="store_true", help="以 JSON 输出"
    )
    forms.add_parser("check", help="载入并校验全部文书格式；有问题时退出码 1")
    pack = forms.add_parser("pack", help="县级文书格式包：县级设定，随县级数据包下发到各乡镇").add_subparsers(
        dest="pack_command", metavar="操作"
    )
    p = pack.add_parser(
        "import", help="（县级）以文件夹中的 *.toml 文件替换县级文书格式包；文件夹中没有的文件从包中移除"
    )
    p.add_argument("folder", type=Path, metavar="DIR", help="放文书格式定义（*.toml）的文件夹")
    pack.add_parser("show", help="列出本机的县级文书格式包（县级自己设定的，或县级下发的）").add_argument(
        "--json", action="store_true", help="以 JSON 输出"
    )
    pack.add_parser("clear", help="（县级）清空县级文书格式包；下一个县级数据包同时清空各乡镇的副本")


def _value(text: str) -> Any:
    """A typed value: JSON where it parses (numbers, lists, true/false), otherwise the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def run_doc(args: argparse.Namespace) -> int:
    from brigade_desk.cli import _cli_actor, _open, build_parser
    from brigade_desk.core.services.documents import GenerateOptions

    if args.doc_command not in ("render", "verify"):
        build_parser().parse_args(["doc", "--help"])
        return 2
    services = _open(args)
    actor = _cli_actor()
    try:
        if args.doc_command == "verify":
            result = services.documents.verify_pdf(actor, args.file)
            if args.json:
                print(
                    json.dumps(
                        {
                            "status": result.status,
                            "message": result.message,
                            "doc_number": result.document.doc_number if result.document else None,
                        },
                        ensure_ascii=False,
                    )
                )
            else:
                print(result.message, file=sys.stdout if result.ok else sys.stderr)
            return 0 if result.ok else EXIT_PROBLEM
        case = services.cases.find_by_number(actor, args.case)
        inputs = {name: _value(value) for name, value in args.set}
        options = GenerateOptions(case.id, args.type, inputs=inputs)
        rendered = services.documents.preview(actor, options, args.format, allow_missing=args.allow_missing)
        args.output.write_bytes(rendered.content)
        pages = f"，{rendered.page_count} 页" if rendered.page_count else ""
        print(f"已生成草稿 {args.output}（{args.format.upper()}{pages}）")
        if rendered.missing:
            print("仍需填写（已留空白）：" + "、".join(rendered.missing), file=sys.stderr)
        return 0
    finally:
        services.close()


def run_casefile(args: argparse.Namespace) -> int:
    from brigade_desk.cli import _cli_actor, _open, _progress_bar

    services = _open(args)
    actor = _cli_actor()
    try:
        case = services.cases.find_by_number(actor, args.case)
        with _progress_bar("组卷", unit="件") as progress:
            result = services.documents.case_file(actor, case.id, retention=args.retention, progress=progress)
        args.output.write_bytes(result.content)
    finally:
        services.close()
    print(
        f"已生成案卷 {args.output}：{result.documents} 件文书材料，共 {result.page_count} 页（含封面、目录、备考表）"
    )
    if result.check.ok:
        print("归档前自查：未发现问题")
        return 0
    print(f"归档前自查发现 {len(result.check.items)} 个问题：", file=sys.stderr)
    for line in result.check.lines():
        print(f"  {line}", file=sys.stderr)
    return EXIT_PROBLEM


def _override_dir(args: argparse.Namespace) -> Path | None:
    from brigade_desk.cli import _data_dir

    path = _data_dir(args) / "forms"
    return path if path.is_dir() else None


def _stored_pack(args: argparse.Namespace) -> dict[str, str]:
    """The county's form pack held by this store; none when there is no store yet (forms list and
    check work without one)."""
    from brigade_desk.cli import _cli_actor, _data_dir, _open
    from brigade_desk.core.paths import STORE_FILE

    if args.db is None and not (_data_dir(args) / STORE_FILE).exists():
        return {}
    services = _open(args, must_be_initialized=False)
    try:
        texts: dict[str, str] = services.form_packs.texts(_cli_actor())
        return texts
    finally:
        services.close()


def run_forms(args: argparse.Namespace) -> int:
    from brigade_desk.cli import build_parser
    from brigade_desk.core.documents import FormLibrary, check_forms
    from brigade_desk.core.documents.errors import FormDefinitionError

    if args.forms_command == "pack":
        return run_forms_pack(args)
    override = _override_dir(args)
    match args.forms_command:
        case "check":
            pack = _stored_pack(args)
            problems = check_forms(override_dir=override, county_pack=pack)
            if problems:
                for line in problems:
                    print(line, file=sys.stderr)
                return EXIT_PROBLEM
            count = len(FormLibrary(override_dir=override, county_pack=pack))
            where = "".join(
                [
                    f"（含县级文书格式包 {len(pack)} 个文件）" if pack else "",
                    f"（含覆盖目录 {override}）" if override else "",
                ]
            )
            print(f"全部 {count} 个文书格式校验通过{where}")
            return 0
        case "list":
            try:
                library = FormLibrary(override_dir=override, county_pack=_stored_pack(args))
            except FormDefinitionError as exc:
                print(f"错误：{exc.message}", file=sys.stderr)
                return EXIT_PROBLEM
            rows = [
                {
                    "id": f.id,
                    "version": f.version,
                    "title": f.title,
                    "step": f.step,
                    "kind": f.kind,
                    "numbered": f.numbered,
                    "doc_code": f.doc_code,
                    "overridden": f.overridden,
                    "origin": f.origin,
                }
                for f in library.forms()
            ]
            if args.json:
                print(json.dumps(rows, ensure_ascii=False, indent=2))
                return 0
            kinds = {"outward": "对外", "internal": "内部", "record": "笔录"}
            for r in rows:
                number = f"编号（{r['doc_code']}）" if r["numbered"] else "不编号"
                mark = {"county": "　县级版本", "township": "　本乡镇版本"}.get(r["origin"], "")
                print(
                    f"{r['id']:<24} {r['version']:<10} {kinds.get(r['kind'], r['kind'])}  {number:<10} {r['title']}{mark}"
                )
            print(f"共 {len(rows)} 个文书格式")
            return 0
        case _:
            build_parser().parse_args(["forms", "--help"])
            return 2


def run_forms_pack(args: argparse.Namespace) -> int:
    from brigade_desk.cli import _cli_actor, _open, build_parser, print_json
    from brigade_desk.core.timeutil import format_datetime

    if args.pack_command not in ("import", "show", "clear"):
        build_parser().parse_args(["forms", "pack", "--help"])
        return 2
    services = _open(args)
    actor = _cli_actor()
    try:
        match args.pack_command:
            case "import":
                change = services.form_packs.replace_from_folder(actor, args.folder)
                if not change.changes:
                    print(f"县级文书格式包未改变（{len(change.unchanged)} 个文件与现有的相同）")
                    return 0
                parts = [
                    f"{label} {len(names)} 个（{'、'.join(names)}）"
                    for label, names in (
                        ("加入", change.added),
                        ("更新", change.changed),
                        ("移除", change.removed),
                    )
                    if names
                ]
                print(f"已更新县级文书格式包：{'；'.join(parts)}；共 {len(change.pack.files)} 个文件")
                print("下一次导出县级数据包时随包下发到各乡镇")
                return 0
            case "clear":
                removed = services.form_packs.clear(actor)
                if removed:
                    print(
                        f"已清空县级文书格式包（移除 {removed} 个文件）；下一个县级数据包同时清空各乡镇的副本"
                    )
                else:
                    print("县级文书格式包本来就是空的")
                return 0
            case _:
                view = services.form_packs.show(actor)
                if args.json:
                    print_json(view)
                    return 0
                if view.empty:
                    where = "本县尚未设定" if view.is_county else "尚未收到县级下发的"
                    print(f"{where}县级文书格式包；使用程序自带的文书格式")
                    return 0
                source = "本县设定" if view.is_county else "县级下发"
                print(f"县级文书格式包（{source}，{len(view.files)} 个文件，摘要 {view.digest[:12]}）：")
                for f in view.files:
                    form = f"{f.form_id}@{f.form_version}  {f.title}" if f.form_id else "共用字段"
                    print(
                        f"  {f.file_name:<32} 第{f.version}版  {form}  "
                        f"{format_datetime(f.updated_at)} {f.updated_by}  {f.sha256[:12]}"
                    )
                for problem in view.problems:
                    print(f"问题：{problem}", file=sys.stderr)
                return EXIT_PROBLEM if view.problems else 0
    finally:
        services.close()
