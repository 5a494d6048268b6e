"""Document engine: form definitions (``forms/*.toml``) -> one layout model -> PDF and DOCX.

No database and no Qt here: callers pass the merged case data as a plain dict (the paths are
listed in ``docs/forms.md``) and get bytes back. Typical use::

    library = FormLibrary(override_dir=township_forms_dir)
    form = library.get("penalty_decision")
    todo = missing_required(form, data)            # Chinese labels of everything to fill in
    pdf = render_pdf(form, data, qr_payload=code)  # RenderedDocument: bytes, form id@version, pages
"""

from brigade_desk.core.documents.definition import FieldDef, FormDef, PageSetup
from brigade_desk.core.documents.docx_render import DocxFonts, render_layout_docx
from brigade_desk.core.documents.engine import format_doc_number, render, render_docx, render_pdf
from brigade_desk.core.documents.errors import (
    DocumentError,
    FormDefinitionError,
    FormNotFoundError,
    MissingFieldsError,
    ValueFormatError,
)
from brigade_desk.core.documents.layout import Layout, build_layout, missing_required
from brigade_desk.core.documents.loader import (
    FormLibrary,
    check_forms,
    default_forms_dir,
    load_form,
    parse_form,
)
from brigade_desk.core.documents.pdf_render import render_layout_pdf
from brigade_desk.core.documents.result import RenderedDocument
from brigade_desk.core.documents.values import free_fields, source_paths

__all__ = [
    "DocumentError",
    "DocxFonts",
    "FieldDef",
    "FormDef",
    "FormDefinitionError",
    "FormLibrary",
    "FormNotFoundError",
    "Layout",
    "MissingFieldsError",
    "PageSetup",
    "RenderedDocument",
    "ValueFormatError",
    "build_layout",
    "check_forms",
    "default_forms_dir",
    "format_doc_number",
    "free_fields",
    "load_form",
    "missing_required",
    "parse_form",
    "render",
    "render_docx",
    "render_layout_docx",
    "render_layout_pdf",
    "render_pdf",
    "source_paths",
]
