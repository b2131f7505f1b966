"""Logging: JSON lines on stdout by default, a human format for `make run`,
and the REST service's three files under LOG_DIR, rotated.

Loggers with a job:
- `graphql_api.requests`: one line per request (also api_requests.log);
- `graphql_api.events`: business events, with ids and amounts, never keys;
- everything else: the application's own messages and errors.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import queue
import re
import sys
import threading
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

REQUESTS = "graphql_api.requests"
EVENTS = "graphql_api.events"

# Attributes every LogRecord has; anything else came in through `extra=`.
# uvicorn adds `color_message`, a copy of the message with terminal colours.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName", "color_message"}
_TERMINAL_CODES = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _plain(text: str) -> str:
    """Log files and collectors want text, not a terminal's colour codes."""
    return _TERMINAL_CODES.sub("", text) if "\x1b" in text else text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": _plain(record.getMessage()),
        }
        line.update({key: value for key, value in vars(record).items() if key not in _STANDARD})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class HumanFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        extras = {key: value for key, value in vars(record).items() if key not in _STANDARD}
        text = _plain(super().format(record))
        if extras:
            text += " " + " ".join(f"{key}={value}" for key, value in extras.items())
        return text


class _OnlyLogger(logging.Filter):
    def __init__(self, name: str):
        super().__init__()
        self.only = name

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name == self.only


_OURS = "_campaign_service_handler"


class BackgroundWriter(logging.Handler):
    """Stands in front of the real handlers while the service serves: a record
    is queued as it is, and one thread wakes every `interval` seconds to
    format and write what has queued, in one write per handler. The event
    loop never waits on a write nor wakes a thread: with stdout unbuffered
    (PYTHONUNBUFFERED, usual in containers) every line was a system call that
    handed the interpreter lock to the database threads, and getting it back
    cost the loop several times the line itself (bench/HISTORY.md). A line
    appears at most `interval` later; records are formatted in the writer's
    thread, so log values, not objects that change afterwards."""

    def __init__(self, handlers: list[logging.Handler], interval: float = 0.05):
        super().__init__()
        self.handlers = handlers
        self.interval = interval
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # one drain at a time: the writer's, or a flush's
        self._thread = threading.Thread(target=self._run, name="log-writer", daemon=True)
        self._thread.start()

    def handle(self, record: logging.LogRecord) -> bool:
        self._queue.put(record)  # no lock, no formatting and no wake-up here: that is the point
        return True

    def flush(self) -> None:
        """Writes everything queued so far, now."""
        self._drain()

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._drain()
        for handler in self.handlers:
            handler.close()
        super().close()

    def _run(self) -> None:
        while not self._stopping.wait(self.interval):
            self._drain()

    def _drain(self) -> None:
        with self._lock:
            records = []
            while True:
                try:
                    records.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if records:
                for handler in self.handlers:
                    _write_batch(handler, records)


def _write_batch(handler: logging.Handler, records: list[logging.LogRecord]) -> None:
    """A console gets its lines in one write; files rotate, so each record
    goes through the handler's own emit."""
    wanted = [record for record in records if record.levelno >= handler.level and handler.filter(record)]
    if type(handler) is not logging.StreamHandler:
        for record in wanted:
            handler.handle(record)
        return
    lines = []
    for record in wanted:
        try:
            lines.append(handler.format(record) + handler.terminator)
        except Exception:
            handler.handleError(record)
    if lines:
        try:
            handler.stream.write("".join(lines))
            handler.flush()
        except Exception:
            handler.handleError(wanted[-1])


def _rotating(path: Path, level: int, formatter: logging.Formatter, only: Optional[str] = None) -> logging.Handler:
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=10 * 1024 * 1024, backupCount=5, encoding="utf-8")
    handler.setLevel(level)
    handler.setFormatter(formatter)
    if only:
        handler.addFilter(_OnlyLogger(only))
    return handler


def configure_logging(level: str = "INFO", log_format: str = "json", log_dir: Optional[Path] = None,
                      stream=None, background: bool = False) -> None:
    """Idempotent: each worker process calls it once its settings are known,
    with `background` (BackgroundWriter) when it serves."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(handler)
        handler.close()
    formatter: logging.Formatter = HumanFormatter() if log_format == "human" else JsonFormatter()
    handlers: list[logging.Handler] = []
    console = logging.StreamHandler(stream or sys.stdout)
    console.setFormatter(formatter)
    handlers.append(console)
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        json_lines = JsonFormatter()
        handlers += [
            _rotating(log_dir / "campaign_service.log", logging.DEBUG, json_lines),
            _rotating(log_dir / "errors.log", logging.ERROR, json_lines),
            _rotating(log_dir / "api_requests.log", logging.INFO, json_lines, only=REQUESTS),
        ]
    if background:
        handlers = [BackgroundWriter(handlers)]
    for handler in handlers:
        setattr(handler, _OURS, True)
        root.addHandler(handler)
    root.setLevel(level)
    # Our request line replaces uvicorn's access log; pgserver and alembic narrate too much.
    logging.getLogger("uvicorn.access").disabled = True
    for chatty in ("pgserver", "alembic.runtime.plugins"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    # pgserver asks platformdirs for a runtime dir; its fallback is fine.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
