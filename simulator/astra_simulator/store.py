"""Persistent state in one SQLite file.

Everything the simulator knows lives here, so a restart loses nothing: the
API objects and the internal Kubernetes world (table `objects`, one JSON
document per object), settings such as the account, token, faults and
outages (`settings`), pending timed transitions (`timers`, due times on the
wall clock) and the request log.

One re-entrant lock serialises all access: uvicorn runs the request handlers
in a thread pool and a background ticker applies due transitions.
"""

import json
import os
import re
import sqlite3
import threading
from contextlib import contextmanager

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (id TEXT PRIMARY KEY, kind TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS objects_kind ON objects (kind);
CREATE TABLE IF NOT EXISTS timers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    due REAL NOT NULL,
    action TEXT NOT NULL,
    object_id TEXT NOT NULL,
    cluster_id TEXT,
    args TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS timers_due ON timers (due);
CREATE TABLE IF NOT EXISTS request_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    query TEXT NOT NULL,
    status INTEGER,
    time TEXT NOT NULL
);
"""


# The fields the lookups match on most (an app or cluster by name, an app's backups and snapshots, a cluster's apps,
# namespaces and storage classes): indexed, so a lookup reads the matching rows only instead of every object of the
# kind (an app's backups out of a 250-app estate's: 4 ms -> well under 1).
INDEXED_FIELDS = ("name", "_appID", "clusterID", "_clusterID")
FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _json_path(key):
    """The JSON path of a top-level field, as the SQL text an expression index was made with (a literal, so that
    SQLite can use the index)."""
    return "'$.\"%s\"'" % key


def _field_condition(key):
    """(SQL, parameters) matching a top-level text field: the path inline for a plain field name (indexable), else bound."""
    if FIELD_NAME.match(key):
        return " AND json_extract(data, %s) = ?" % _json_path(key), []
    return " AND json_extract(data, ?) = ?", ['$."%s"' % key]


def _has_json_functions(db):
    try:
        return db.execute("""SELECT json_extract('{"a": "b"}', '$."a"')""").fetchone()[0] == "b"
    except sqlite3.Error:
        return False


class Store:
    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.lock = threading.RLock()
        self._depth = 0
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._json_filters = _has_json_functions(self._db)
        if self._json_filters:
            for key in INDEXED_FIELDS:
                self._db.execute("CREATE INDEX IF NOT EXISTS objects_by_%s ON objects (kind, json_extract(data, %s))"
                                 % (key, _json_path(key)))

    def close(self):
        with self.lock:
            self._db.close()

    @contextmanager
    def transaction(self):
        """Hold the lock; the outermost level commits, or rolls back on error."""
        with self.lock:
            outermost = self._depth == 0
            if outermost:
                self._db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if outermost:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outermost:
                self._db.execute("COMMIT")

    # settings -----------------------------------------------------------
    def setting(self, key, default=None):
        with self.lock:
            row = self._db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_setting(self, key, value):
        with self.transaction():
            self._db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )

    def delete_setting(self, key):
        with self.transaction():
            self._db.execute("DELETE FROM settings WHERE key = ?", (key,))

    # objects ------------------------------------------------------------
    def get(self, kind, object_id):
        with self.lock:
            row = self._db.execute("SELECT data FROM objects WHERE id = ? AND kind = ?", (object_id, kind)).fetchone()
        return json.loads(row[0]) if row else None

    def all(self, kind, **match):
        """Objects of one kind in creation order, optionally those whose top-level fields equal `match`."""
        query, parameters = "SELECT data FROM objects WHERE kind = ?", [kind]
        if self._json_filters:
            # Text fields are matched by SQLite, so that only the matching objects are decoded (a cluster's
            # namespaces out of a 250-app estate's); every match is checked again below, whatever the type.
            for key, value in match.items():
                if isinstance(value, str):
                    condition, bound = _field_condition(key)
                    query += condition
                    parameters += bound + [value]
        with self.lock:
            rows = self._db.execute(query + " ORDER BY rowid", parameters).fetchall()
        items = (json.loads(row[0]) for row in rows)
        return [item for item in items if all(item.get(key) == value for key, value in match.items())]

    def find(self, kind, **match):
        """The first object of the kind whose top-level fields equal `match`, or None."""
        if self._json_filters and match and all(isinstance(value, str) for value in match.values()):
            # SQLite compares JSON text with text exactly as Python would, so the first row it finds is the answer.
            query, parameters = "SELECT data FROM objects WHERE kind = ?", [kind]
            for key, value in match.items():
                condition, bound = _field_condition(key)
                query += condition
                parameters += bound + [value]
            with self.lock:
                row = self._db.execute(query + " ORDER BY rowid LIMIT 1", parameters).fetchone()
            return json.loads(row[0]) if row else None
        found = self.all(kind, **match)
        return found[0] if found else None

    def put(self, kind, data):
        """Insert or replace by `data["id"]`; a replaced object keeps its place in list order."""
        with self.transaction():
            self._db.execute(
                "INSERT INTO objects (id, kind, data) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data",
                (data["id"], kind, json.dumps(data)),
            )
        return data

    def delete(self, object_id):
        with self.transaction():
            self._db.execute("DELETE FROM objects WHERE id = ?", (object_id,))
            self._db.execute("DELETE FROM timers WHERE object_id = ?", (object_id,))

    def is_empty(self):
        with self.lock:
            return self._db.execute("SELECT COUNT(*) FROM objects").fetchone()[0] == 0

    def wipe_world(self):
        """Remove every object and timer (used by reset before re-applying the scenario)."""
        with self.transaction():
            self._db.execute("DELETE FROM objects")
            self._db.execute("DELETE FROM timers")

    # timers -------------------------------------------------------------
    def add_timer(self, due, action, object_id, cluster_id=None, args=None):
        with self.transaction():
            self._db.execute(
                "INSERT INTO timers (due, action, object_id, cluster_id, args) VALUES (?, ?, ?, ?, ?)",
                (due, action, object_id, cluster_id, json.dumps(args or {})),
            )

    def due_timers(self, now):
        with self.lock:
            rows = self._db.execute(
                "SELECT id, due, action, object_id, cluster_id, args FROM timers WHERE due <= ? ORDER BY due, id", (now,)
            ).fetchall()
        return [
            {"id": r[0], "due": r[1], "action": r[2], "object_id": r[3], "cluster_id": r[4], "args": json.loads(r[5])}
            for r in rows
        ]

    def timers_for(self, object_id):
        with self.lock:
            rows = self._db.execute("SELECT action FROM timers WHERE object_id = ? ORDER BY due", (object_id,)).fetchall()
        return [r[0] for r in rows]

    def delete_timer(self, timer_id):
        with self.transaction():
            self._db.execute("DELETE FROM timers WHERE id = ?", (timer_id,))

    def delete_timers_for(self, object_id):
        with self.transaction():
            self._db.execute("DELETE FROM timers WHERE object_id = ?", (object_id,))

    # request log --------------------------------------------------------
    def log_request(self, method, path, query, status, time):
        with self.transaction():
            self._db.execute(
                "INSERT INTO request_log (method, path, query, status, time) VALUES (?, ?, ?, ?, ?)",
                (method, path, query, status, time),
            )

    def requests(self):
        with self.lock:
            rows = self._db.execute("SELECT method, path, query, status, time FROM request_log ORDER BY id").fetchall()
        return [{"method": r[0], "path": r[1], "query": r[2], "status": r[3], "time": r[4]} for r in rows]

    def clear_requests(self):
        with self.transaction():
            self._db.execute("DELETE FROM request_log")
