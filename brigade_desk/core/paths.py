"""Where things live: the data directory and the program's own trees (db/, forms/, resources/)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

# The checkout (or installed tree) root that holds db/, forms/ and resources/ beside the package.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS_DIR = PROJECT_ROOT / "db"
FORMS_DIR = PROJECT_ROOT / "forms"
RESOURCES_DIR = PROJECT_ROOT / "resources"

HOME_ENV = "BRIGADE_DESK_HOME"
STORE_FILE = "brigade-desk.sqlite3"
FILES_DIR = "files"
BACKUPS_DIR = "backups"


def default_data_dir() -> Path:
    """`BRIGADE_DESK_HOME` when set, else the platform's per-user data directory."""
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir("BrigadeDesk", appauthor=False))
