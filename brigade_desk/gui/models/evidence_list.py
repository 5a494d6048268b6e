"""The evidence of one case as a list model for a QListView in icon (grid) or list mode.

Rows are the plain `EvidenceView`s the service returns. Thumbnails are read from their files only
when the view first asks for a row's icon (rows scrolled out of sight are never decoded), and kept
in a small cache; items without a thumbnail show an icon for what they are (video, audio, document,
physical item, or a picture that could not be decoded).
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QImageReader, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QStyle

from brigade_desk.core.services.evidence import EvidenceView
from brigade_desk.gui.formatting import show_datetime

EVIDENCE_ROLE = Qt.ItemDataRole.UserRole + 1
ICON_PX = 256  # thumbnails are at most 256 px; the view scales them to its icon size
CACHE_SIZE = 400

_CATEGORY_ICONS = {
    "video": QStyle.StandardPixmap.SP_MediaPlay,
    "audio": QStyle.StandardPixmap.SP_MediaVolume,
    "document": QStyle.StandardPixmap.SP_FileDialogDetailedView,
    "other": QStyle.StandardPixmap.SP_FileIcon,
    "photo": QStyle.StandardPixmap.SP_MessageBoxWarning,  # a picture without a thumbnail: undecodable
}
_CAPTIONS = {
    "video": "录像",
    "audio": "录音",
    "document": "文档",
    "other": "文件",
    "item": "实物",
    "photo": "无法预览",
}

Index = QModelIndex | QPersistentModelIndex


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("字节", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} 字节" if unit == "字节" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} 字节"


def _placeholder(kind: str) -> QIcon:
    """A light tile with the category's symbol and its name, the size of a landscape thumbnail."""
    tile = QPixmap(ICON_PX, ICON_PX * 3 // 4)
    tile.fill(QColor("#eceff1"))
    painter = QPainter(tile)
    side = ICON_PX // 4
    symbol = _CATEGORY_ICONS.get(kind)
    font = QFont(QApplication.font())
    font.setPixelSize(ICON_PX // 7)
    painter.setFont(font)
    painter.setPen(QColor("#455a64"))
    if symbol is None:  # physical evidence: the word alone, large
        font.setPixelSize(ICON_PX // 4)
        painter.setFont(font)
        painter.drawText(tile.rect(), Qt.AlignmentFlag.AlignCenter, _CAPTIONS.get(kind, ""))
    else:
        icon = QApplication.style().standardIcon(symbol)
        icon.paint(painter, (tile.width() - side) // 2, tile.height() // 2 - side, side, side)
        caption = QRect(0, tile.height() // 2 + 8, tile.width(), tile.height() // 2 - 8)
        painter.drawText(
            caption, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, _CAPTIONS.get(kind, "")
        )
    painter.end()
    return QIcon(tile)


class EvidenceListModel(QAbstractListModel):
    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.items: list[EvidenceView] = []
        self._icons: OrderedDict[str, QIcon] = OrderedDict()
        self._placeholders: dict[str, QIcon] = {}
        self.thumbnails_loaded = 0  # how many thumbnail files were decoded (tests check laziness)

    # --- content -----------------------------------------------------------------------------------

    def set_items(self, items: list[EvidenceView]) -> None:
        self.beginResetModel()
        self.items = list(items)
        keep = {i.id for i in self.items}
        for key in [k for k in self._icons if k not in keep]:
            del self._icons[key]
        self.endResetModel()

    def item_at(self, row: int) -> EvidenceView | None:
        return self.items[row] if 0 <= row < len(self.items) else None

    def row_of(self, evidence_id: str) -> int:
        return next((n for n, item in enumerate(self.items) if item.id == evidence_id), -1)

    # --- Qt ------------------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        item = self.item_at(index.row()) if index.isValid() else None
        if item is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{item.number}. {item.description}"
        if role == Qt.ItemDataRole.DecorationRole:
            return self.icon_for(item)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [
                f"证据{item.number}：{item.description}",
                f"{item.kind_label} · {item.category_label}"
                + (f" · {human_size(item.size)}" if item.has_file else ""),
                f"收集：{item.collected_by}，{show_datetime(item.collected_at)}",
            ]
            if item.captured_at:
                lines.append(f"拍摄时间：{show_datetime(item.captured_at)}")
            if item.category == "photo" and item.thumbnail_path is None:
                lines.append("图片无法解码，未生成缩略图")
            return "\n".join(lines)
        if role == EVIDENCE_ROLE:
            return item
        return None

    def icon_for(self, item: EvidenceView) -> QIcon:
        cached = self._icons.get(item.id)
        if cached is not None:
            self._icons.move_to_end(item.id)
            return cached
        icon = self._load(item)
        self._icons[item.id] = icon
        while len(self._icons) > CACHE_SIZE:
            self._icons.popitem(last=False)
        return icon

    def _load(self, item: EvidenceView) -> QIcon:
        if item.thumbnail_path is not None and item.thumbnail_path.is_file():
            reader = QImageReader(str(item.thumbnail_path))
            image = reader.read()
            if not image.isNull():
                self.thumbnails_loaded += 1
                return QIcon(QPixmap.fromImage(image))
        kind = item.category
        if kind not in self._placeholders:
            self._placeholders[kind] = _placeholder(kind)
        return self._placeholders[kind]

    def icon_size(self, grid: bool) -> QSize:
        return QSize(108, 81) if grid else QSize(48, 36)
