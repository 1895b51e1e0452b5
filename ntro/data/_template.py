"""A cached, freshly ``initdb``-ed cluster copied into new data folders.

Why: ``initdb`` is most of a cold start (about 1.5 s on a quiet 2-core machine, several seconds
on a busy one), and every new folder (each test session, each new project) pays it again. The
cluster ``initdb`` makes holds nothing folder-specific (pgserver passes the socket and log at
start), so one is built per ``pgserver`` version in the user's cache folder
(``$NTRO_PG_TEMPLATE_DIR`` to move it) and copied into new folders, which then only start.
Any failure here falls back to pgserver's own ``initdb`` in the folder.
"""

from __future__ import annotations

import fcntl
import importlib.metadata
import os
import shutil
import stat
import tempfile
from pathlib import Path

__all__ = ["ENV_TEMPLATE_DIR", "seed_data_dir"]

ENV_TEMPLATE_DIR = "NTRO_PG_TEMPLATE_DIR"
_SYSTEM_USER = "pgserver"  # pgserver runs postgres as this user when we are root
_INITDB_ARGS = ["--auth=trust", "--auth-local=trust", "--encoding=utf8", "-U", "postgres"]


def _template_root() -> Path:
    configured = os.environ.get(ENV_TEMPLATE_DIR)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("ntro")) / "pg-template"


def _as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _chown_tree(folder: Path, user: str) -> None:
    import pwd

    entry = pwd.getpwnam(user)
    for base, dirs, files in os.walk(folder):
        for name in [base, *(os.path.join(base, n) for n in dirs + files)]:
            os.chown(name, entry.pw_uid, entry.pw_gid, follow_symlinks=False)


def _build(target: Path) -> None:
    """``initdb`` into a scratch folder (traversable by the server's user), then move it."""
    import pgserver
    from pgserver.postgres_server import POSTGRES_BIN_PATH
    from pgserver.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    scratch = Path(tempfile.mkdtemp(prefix="ntro-pg-template-"))
    try:
        cluster = scratch / "pg"
        cluster.mkdir()
        user = None
        if _as_root():
            user = _SYSTEM_USER
            ensure_user_exists(user)
            ensure_prefix_permissions(cluster)
            read = stat.S_IRGRP | stat.S_IROTH
            ensure_prefix_permissions(POSTGRES_BIN_PATH)
            ensure_folder_permissions(POSTGRES_BIN_PATH, stat.S_IXGRP | stat.S_IXOTH | read)
            ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", read)
            _chown_tree(scratch, user)
        # initdb is re-exported by pgserver without being in its __all__
        pgserver.initdb(_INITDB_ARGS, pgdata=cluster, user=user)  # type: ignore[attr-defined]
        staged = target.parent / f".{target.name}.{os.getpid()}"
        shutil.copytree(cluster, staged, symlinks=True)
        try:
            os.rename(staged, target)
        except OSError:  # another process finished first: keep theirs
            shutil.rmtree(staged, ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def seed_data_dir(folder: Path) -> bool:
    """Fill the empty data folder ``folder`` from the template; ``False`` if that is not possible
    (the caller then lets pgserver run ``initdb`` there)."""
    try:
        version = importlib.metadata.version("pgserver")
        root = _template_root()
        root.mkdir(parents=True, exist_ok=True)
        template = root / f"pgserver-{version}"
        with open(root / ".lock", "w") as lock:  # one seeding at a time, machine-wide
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (template / "PG_VERSION").is_file():
                _build(template)
            if (folder / "PG_VERSION").exists():
                return True  # another process seeded it
            if any(folder.iterdir()):
                return False  # not ours to fill
            # Copy beside the folder, then rename over the empty folder: a copy cut short
            # never leaves a half cluster that looks initialised.
            staged = folder.parent / f".{folder.name}.seeding-{os.getpid()}"
            shutil.rmtree(staged, ignore_errors=True)
            try:
                shutil.copytree(template, staged, symlinks=True)
                staged.chmod(0o700)
                if _as_root():
                    _chown_tree(staged, _SYSTEM_USER)
                os.rename(staged, folder)
            finally:
                shutil.rmtree(staged, ignore_errors=True)  # gone after the rename
        return True
    except Exception:  # noqa: BLE001 - any failure: pgserver's own initdb still works
        return False
