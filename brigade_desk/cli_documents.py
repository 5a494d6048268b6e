"""`brigade-desk doc …`, `brigade-desk casefile` and `brigade-desk forms …`: documents on the command line.

doc render --case CASE_NO --type FORM_ID --format pdf|docx -o FILE   a draft (marked 草稿)
doc verify FILE.pdf                                                 exit 0 genuine, 1 otherwise
casefile --case CASE_NO -o FILE.pdf                                 the case file and its self-check
forms list | forms check                                            the forms this store uses
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


def run_forms(args: argparse.Namespace) -> int:
    from brigade_desk.cli import build_parser
    from brigade_desk.core.documents import FormLibrary, check_forms
    from brigade_desk.core.documents.errors import FormDefinitionError

    override = _override_dir(args)
    match args.forms_command:
        case "check":
            problems = check_forms(override_dir=override)
            if problems:
                for line in problems:
                    print(line, file=sys.stderr)
                return EXIT_PROBLEM
            count = len(FormLibrary(override_dir=override))
            where = f"（含覆盖目录 {override}）" if override else ""
            print(f"全部 {count} 个文书格式校验通过{where}")
            return 0
        case "list":
            try:
                library = FormLibrary(override_dir=override)
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
                }
                for f in library.forms()
            ]
            if args.json:
                print(json.dumps(rows, ensure_ascii=False, indent=2))
                return 0
            kinds = {"outward": "对外", "internal": "内部", "record": "笔录"}
            for r in rows:
                number = f"编号（{r['doc_code']}）" if r["numbered"] else "不编号"
                mark = "　本乡镇版本" if r["overridden"] else ""
                print(
                    f"{r['id']:<24} {r['version']:<10} {kinds.get(r['kind'], r['kind'])}  {number:<10} {r['title']}{mark}"
                )
            print(f"共 {len(rows)} 个文书格式")
            return 0
        case _:
            build_parser().parse_args(["forms", "--help"])
            return 2
