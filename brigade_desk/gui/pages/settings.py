"""设置: users and system settings for admins; everyone can change their own password."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import AuthError, BrigadeError, FieldError, ValidationError
from brigade_desk.core.rules.permissions import Permission
from brigade_desk.core.services.users import UserView
from brigade_desk.core.settings import SETTINGS
from brigade_desk.core.timeutil import utc_now
from brigade_desk.gui.formatting import show_datetime
from brigade_desk.gui.forms import FormErrors, chain_tab_order, error_label
from brigade_desk.gui.pages.base import Page
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import CLOSED, ERROR, colour, set_error_style
from brigade_desk.gui.user_dialogs import AddUserDialog, ResetPasswordDialog, password_edit


def user_state(user: UserView) -> str:
    if not user.active:
        return "已停用"
    if user.locked_until is not None and user.locked_until > utc_now():
        return f"密码错误锁定至 {show_datetime(user.locked_until)}"
    return "正常"


class UsersTab(QWidget):
    """用户管理: the users table with 新增, 重置密码 and 停用/启用."""

    HEADERS = ("登录名", "姓名", "角色", "职务", "执法证号", "状态")

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.users: list[UserView] = []
        self.filter_text = ""

        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.reset_password())

        self.add_button = QPushButton("新增用户…")
        self.reset_button = QPushButton("重置密码…")
        self.active_button = QPushButton("停用")
        self.add_button.clicked.connect(self.add_user)
        self.reset_button.clicked.connect(self.reset_password)
        self.active_button.clicked.connect(self.toggle_active)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.active_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        chain_tab_order([self.add_button, self.reset_button, self.active_button, self.table])

    def refresh(self) -> None:
        selected = self.selected_user()
        try:
            self.users = self.session.services.users.list_users(self.session.actor)
        except BrigadeError as exc:
            self.users = []
            self._say(exc.message, error=True)
        self.table.setRowCount(len(self.users))
        for row, user in enumerate(self.users):
            values = (
                user.login,
                user.display_name,
                user.roles_label,
                user.post,
                user.certificate_no,
                user_state(user),
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if column == 5 and text != "正常":
                    item.setForeground(colour(CLOSED) if not user.active else colour(ERROR))
                self.table.setItem(row, column, item)
        self.apply_filter(self.filter_text)
        if selected is not None:
            self.select_login(selected.login)
        self._update_buttons()

    def apply_filter(self, text: str) -> None:
        self.filter_text = text.strip().lower()
        for row, user in enumerate(self.users):
            haystack = (
                f"{user.login} {user.display_name} {user.roles_label} {user.post} {user.certificate_no}"
            )
            self.table.setRowHidden(row, bool(self.filter_text) and self.filter_text not in haystack.lower())

    def selected_user(self) -> UserView | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.users):
            return None
        return self.users[rows[0].row()]

    def select_login(self, login: str) -> None:
        for row, user in enumerate(self.users):
            if user.login == login:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        user = self.selected_user()
        self.reset_button.setEnabled(user is not None)
        self.active_button.setEnabled(user is not None and user.login != self.session.actor.login)
        self.active_button.setText("启用" if user is not None and not user.active else "停用")
        if user is not None and user.login == self.session.actor.login:
            self.active_button.setToolTip("不能停用自己正在使用的账户")
        else:
            self.active_button.setToolTip("")

    def _say(self, text: str, *, error: bool = False) -> None:
        if error:
            set_error_style(self.message)
        else:
            self.message.setStyleSheet("")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def add_user(self) -> None:
        dialog = AddUserDialog(self.session, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.created is not None:
            self.refresh()
            self.select_login(dialog.created.login)
            self._say(f"已新增用户 {dialog.created.display_name}（{dialog.created.login}）")

    def reset_password(self) -> None:
        user = self.selected_user()
        if user is None:
            self._say("请先在表中选择一个用户", error=True)
            return
        dialog = ResetPasswordDialog(self.session, user, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
            self._say(f"已重置 {user.display_name} 的密码，请告知本人登录后修改")

    def toggle_active(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        verb = "启用" if not user.active else "停用"
        answer = QMessageBox.question(
            self,
            f"{verb}账户",
            f"确定{verb} {user.display_name}（{user.login}）的账户？"
            + ("" if not user.active else "停用后此人不能登录，已办理的记录不受影响。"),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.session.services.users.set_active(self.session.actor, user.login, not user.active)
        except BrigadeError as exc:
            self._say(exc.message, error=True)
            return
        self.refresh()
        self._say(f"已{verb} {user.display_name} 的账户")


class SystemSettingsTab(QWidget):
    """系统设置: every declared setting, with its limits; 保存 writes the changed ones."""

    saved = Signal()

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.bottom = error_label(self)
        self.errors = FormErrors(self.bottom)
        self.spins: dict[str, QSpinBox] = {}
        self.loaded: dict[str, int] = {}
        form = QFormLayout()
        for key, definition in SETTINGS.items():
            if definition.kind is not int:
                continue
            spin = QSpinBox()
            spin.setRange(definition.minimum or 0, definition.maximum or 1_000_000)
            self.spins[key] = spin
            self.errors.add_row(form, definition.label, definition.label, spin, key)
        self.save_button = QPushButton("保存设置")
        self.save_button.clicked.connect(self.save)
        self.status = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.bottom)
        layout.addLayout(row)
        layout.addStretch(1)
        chain_tab_order([*self.spins.values(), self.save_button])

    def refresh(self) -> None:
        self.errors.clear()
        for key, spin in self.spins.items():
            try:
                value = self.session.services.settings.get(self.session.actor, key)
            except BrigadeError as exc:
                self.errors.show_message(exc.message, keep=True)
                continue
            self.loaded[key] = value
            spin.setValue(value)

    def save(self) -> None:
        self.errors.clear()
        self.status.clear()
        changed = {k: s.value() for k, s in self.spins.items() if self.loaded.get(k) != s.value()}
        failures: list[FieldError] = []
        for key, value in changed.items():
            try:
                self.session.services.settings.set(self.session.actor, key, value)
            except ValidationError as exc:
                failures.extend(exc.errors)
            except BrigadeError as exc:
                failures.append(FieldError(key, exc.message))
            else:
                self.loaded[key] = value
        if failures:
            self.errors.show(failures)
            return
        self.status.setText("设置已保存" if changed else "没有改动")
        if changed:
            self.saved.emit()


class OwnPasswordTab(QWidget):
    """修改本人密码: proves the old one, then sets the new one."""

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.bottom = error_label(self)
        self.errors = FormErrors(self.bottom)
        self.old_password = password_edit()
        self.new_password = password_edit("含字母和数字")
        self.new_again = password_edit()
        self.who = QLabel()
        form = QFormLayout()
        form.addRow("账户", self.who)
        self.errors.add_row(form, "原密码", "原密码", self.old_password)
        self.errors.add_row(form, "新密码", "新密码", self.new_password)
        self.errors.add_row(form, "再次输入新密码", "确认密码", self.new_again)
        self.save_button = QPushButton("修改密码")
        self.save_button.clicked.connect(self.save)
        for edit in (self.old_password, self.new_password, self.new_again):
            edit.returnPressed.connect(self.save)
        self.status = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.bottom)
        layout.addLayout(row)
        layout.addStretch(1)
        chain_tab_order([self.old_password, self.new_password, self.new_again, self.save_button])

    def refresh(self) -> None:
        actor = self.session.actor
        self.who.setText(f"{actor.display_name}（{actor.login}）")
        for edit in (self.old_password, self.new_password, self.new_again):
            edit.clear()
        self.errors.clear()
        self.status.clear()

    def save(self) -> None:
        self.status.clear()
        if self.new_password.text() != self.new_again.text():
            self.errors.show([FieldError("确认密码", "两次输入的新密码不一致")])
            return
        try:
            self.session.services.users.change_own_password(
                self.session.actor, self.old_password.text(), self.new_password.text()
            )
        except AuthError as exc:
            self.errors.show([FieldError("原密码", exc.message)])
            return
        except BrigadeError as exc:
            self.errors.show_error(exc)
            return
        self.refresh()
        self.status.setText("密码已修改，下次登录请使用新密码")


class SettingsPage(Page):
    key = "settings"
    title = "设置"

    settings_saved = Signal()

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.users_tab = UsersTab(session)
        self.system_tab = SystemSettingsTab(session)
        self.system_tab.saved.connect(self.settings_saved)
        self.password_tab = OwnPasswordTab(session)
        self.tabs = QTabWidget()
        self.discretion_button = QPushButton("裁量基准…")
        self.discretion_button.setToolTip("查看、导入、导出和修改行政处罚裁量基准")
        self.discretion_button.clicked.connect(self.open_discretion)
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.discretion_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs)

    def open_discretion(self) -> None:
        from brigade_desk.gui.discretion_admin import DiscretionAdminDialog

        DiscretionAdminDialog(self.session, self).exec()

    def refresh(self) -> None:
        super().refresh()
        shown = self.tabs.currentWidget()
        self.tabs.clear()
        if self.session.can(Permission.USERS_MANAGE):
            self.tabs.addTab(self.users_tab, "用户管理")
            self.users_tab.refresh()
        if self.session.can(Permission.SETTINGS_MANAGE):
            self.tabs.addTab(self.system_tab, "系统设置")
            self.system_tab.refresh()
        self.tabs.addTab(self.password_tab, "修改本人密码")
        self.password_tab.refresh()
        if shown is not None and self.tabs.indexOf(shown) >= 0:
            self.tabs.setCurrentWidget(shown)

    def apply_search(self, text: str) -> bool:
        if not self.session.can(Permission.USERS_MANAGE):
            return False
        self.tabs.setCurrentWidget(self.users_tab)
        self.users_tab.apply_filter(text)
        return True
