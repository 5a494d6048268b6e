"""首次设置: the organ and the first admin account, on a store that has neither.

The organ is a township (乡镇, the default: it handles cases) or a county office (县级: it imports the
townships' bundles and reads them), as `brigade-desk init [--county]` offers on the command line.
A county has no document prefix, no county above it and issues no documents, so those fields hide.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.app import Services
from brigade_desk.core.errors import BrigadeError, FieldError
from brigade_desk.core.services.setup import OrganView, TownshipInput, validate_township
from brigade_desk.core.services.users import NewUser, UserView
from brigade_desk.gui.forms import FormErrors, align_labels, chain_tab_order, confirm_discard, error_label

# Core's `initialize` requires this many characters for the first admin's password (the
# password_min_length setting cannot have been changed on a store that has no admin yet).
FIRST_ADMIN_MIN_PASSWORD = 8

INTRO = {
    "township": (
        "本机首次使用，请填写执法主体（乡镇人民政府）和第一个管理员账户。"
        "这些信息将用于案号、文书抬头和向县级报送的数据包。"
    ),
    "county": (
        "本机作为县级使用：导入各乡镇报送的数据包，查看各乡镇的办案情况，并向乡镇下发基础数据和回执。"
        "请填写县级机关和第一个管理员账户。"
    ),
}
NAME_LABEL = {"township": "乡镇人民政府名称", "county": "县级机关名称"}
NAME_HINT = {"township": "如：青溪镇人民政府", "county": "如：临溪县人民政府"}
AREA_HINT = {"township": "6位数字，如 330185", "county": "6位数字，县级区划代码，如 330100"}
CREDIT_HINT = {
    "township": "18位，乡镇人民政府的统一社会信用代码",
    "county": "18位，县级机关的统一社会信用代码（可后补）",
}


class FirstRunDialog(QDialog):
    """Fill in once; on a failed save every field keeps what was typed and each error sits by its field."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.organ: OrganView | None = None
        self.admin: UserView | None = None
        self.setWindowTitle("首次设置 — 乡镇综合执法办案台")
        self.setMinimumWidth(560)

        self.township_choice = QRadioButton("乡镇执法大队（办理案件，向县级报送）")
        self.county_choice = QRadioButton("县级（汇总各乡镇的数据包）")
        self.township_choice.setChecked(True)
        self.kind_group = QButtonGroup(self)
        self.kind_group.addButton(self.township_choice)
        self.kind_group.addButton(self.county_choice)
        kind_box = QGroupBox("本机用作")
        kind_row = QHBoxLayout(kind_box)
        kind_row.addWidget(self.township_choice)
        kind_row.addWidget(self.county_choice)
        kind_row.addStretch(1)

        self.intro = QLabel(INTRO["township"])
        self.intro.setWordWrap(True)

        self.bottom_error = error_label(self)
        self.errors = FormErrors(self.bottom_error)

        self.name = QLineEdit(placeholderText="如：青溪镇人民政府")
        self.area_code = QLineEdit(placeholderText="6位数字，如 330185", maxLength=6)
        self.credit_code = QLineEdit(placeholderText="18位，乡镇人民政府的统一社会信用代码", maxLength=18)
        self.doc_prefix = QLineEdit(placeholderText="如：许综执", maxLength=8)
        self.county_name = QLineEdit(placeholderText="如：临溪县")
        self.court = QLineEdit(placeholderText="如：临溪县人民法院")

        self.organ_box = organ_box = QGroupBox("执法主体")
        self.organ_form = organ_form = QFormLayout(organ_box)
        self.errors.add_row(organ_form, "乡镇人民政府名称", "机关名称", self.name)
        self.errors.add_row(organ_form, "行政区划代码", "行政区划代码", self.area_code)
        self.errors.add_row(organ_form, "统一社会信用代码", "统一社会信用代码", self.credit_code)
        self.errors.add_row(organ_form, "机关代字", "机关代字", self.doc_prefix)
        self.errors.add_row(organ_form, "上级县（市、区）", "上级县", self.county_name)
        self.errors.add_row(organ_form, "所在地基层人民法院", "基层人民法院", self.court)

        self.login = QLineEdit(placeholderText="小写字母开头，如 admin")
        self.display_name = QLineEdit(placeholderText="管理员姓名")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(f"至少{FIRST_ADMIN_MIN_PASSWORD}位，含字母和数字")
        self.password_again = QLineEdit(echoMode=QLineEdit.EchoMode.Password)

        admin_box = QGroupBox("第一个管理员账户")
        admin_form = QFormLayout(admin_box)
        self.errors.add_row(admin_form, "登录名", "登录名", self.login)
        self.errors.add_row(admin_form, "姓名", "姓名", self.display_name)
        self.errors.add_row(admin_form, "密码", "密码", self.password)
        self.errors.add_row(admin_form, "再次输入密码", "确认密码", self.password_again)

        align_labels(organ_form, admin_form)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(kind_box)
        layout.addWidget(self.intro)
        layout.addWidget(organ_box)
        layout.addWidget(admin_box)
        layout.addWidget(self.bottom_error)
        layout.addWidget(buttons)

        chain_tab_order(
            [
                self.township_choice,
                self.county_choice,
                self.name,
                self.area_code,
                self.credit_code,
                self.doc_prefix,
                self.county_name,
                self.court,
                self.login,
                self.display_name,
                self.password,
                self.password_again,
                self.save_button,
                self.cancel_button,
            ]
        )
        # A bound method, not a lambda holding `self`: the dialog must stay collectable.
        self.county_choice.toggled.connect(self._show_kind)
        self.name.setFocus()

    def kind(self) -> str:
        return "county" if self.county_choice.isChecked() else "township"

    def _show_kind(self, _checked: bool = False) -> None:
        """A county has no document prefix, no county above it and no court for its documents."""
        kind = self.kind()
        county = kind == "county"
        self.intro.setText(INTRO[kind])
        self.organ_box.setTitle("县级机关" if county else "执法主体")
        label = self.organ_form.labelForField(self.name)
        if isinstance(label, QLabel):
            label.setText(NAME_LABEL[kind])
        self.name.setPlaceholderText(NAME_HINT[kind])
        self.area_code.setPlaceholderText(AREA_HINT[kind])
        self.credit_code.setPlaceholderText(CREDIT_HINT[kind])
        self.errors.clear()
        for widget in (self.doc_prefix, self.county_name, self.court):
            self.organ_form.setRowVisible(widget, not county)
        self.adjustSize()

    def reject(self) -> None:
        if confirm_discard(self, self.findChildren(QLineEdit)):
            super().reject()

    def township(self) -> TownshipInput:
        if self.kind() == "county":
            # As `init --county`: the county is its own "county"; the hidden fields are not sent.
            return TownshipInput(
                name=self.name.text(),
                area_code=self.area_code.text(),
                credit_code=self.credit_code.text(),
                doc_prefix="",
                county_name=self.name.text(),
                kind="county",
            )
        return TownshipInput(
            name=self.name.text(),
            area_code=self.area_code.text(),
            credit_code=self.credit_code.text(),
            doc_prefix=self.doc_prefix.text(),
            county_name=self.county_name.text(),
            court=self.court.text(),
        )

    def new_admin(self) -> NewUser:
        return NewUser(
            login=self.login.text().strip(),
            display_name=self.display_name.text(),
            password=self.password.text(),
            roles=("admin",),
        )

    def _own_checks(self) -> list[FieldError]:
        """What only this form knows: the password typed twice, and the county named."""
        errors: list[FieldError] = []
        if self.kind() == "township" and not self.county_name.text().strip():
            errors.append(FieldError("上级县", "请填写本乡镇所属的县（市、区），如“临溪县”"))
        if self.password.text() != self.password_again.text():
            errors.append(FieldError("确认密码", "两次输入的密码不一致"))
        return errors

    def save(self) -> None:
        township, admin = self.township(), self.new_admin()
        own = self._own_checks()
        if own:
            # Show core's refusals of the organ too, so most is fixed in one pass; nothing is saved.
            self.errors.show(validate_township(township) + own)
            return
        try:
            self.organ, self.admin = self.services.setup.initialize(township, admin)
        except BrigadeError as exc:
            self.errors.show_error(exc)
            return
        self.errors.clear()
        self.accept()
