"""Live reload: rebuild the index when the notes change, in the background, and swap it in at once.

Front ends hold a ``LiveConversation`` and read ``.current`` once per question, so a question is answered
wholly from one index. A ``Reloader`` watches the notes folder with watchfiles (inotify on Linux; a change
is acted on after ``debounce_ms`` of quiet, so an editor's save-and-rename counts once) and, every
``poll_seconds`` as well, compares the folder's file sizes and times with the index's, which catches what
the watcher cannot see (some network and container file systems). On a change it rebuilds in its own
thread: ``Retriever.from_directory`` with the saved index, which re-reads only the files that changed, then a
new ``Conversation``, then the swap. Questions keep being answered from the old index meanwhile.

A broken edit keeps the last good index, and the log says why: when the rebuild raises (the folder is gone
or holds no notes any more, or a bug), or when a note that the current index has read cannot be read now
(unreadable, binary, a link out of the folder). Fix the file and the next change (or ``/reload``) picks
it up. ``reload(force=True)``, what the bot's ``/reload`` calls, rebuilds from the files even when they
look unchanged (say, copied with their old times) and ignores the saved index.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.conversation import Conversation
from index import NotesQAError, Retriever
from index.reader import NOTE_SUFFIXES, fingerprint, note_stats

log = logging.getLogger(__name__)


class LiveConversation:
    """The conversation over the current index; ``swap`` replaces it whole (a single reference assignment)."""

    def __init__(self, conversation: Conversation) -> None:
        self._current = conversation
        self._generation = 0
        self._lock = threading.Lock()

    @property
    def current(self) -> Conversation:
        """The conversation to answer the next question with."""
        return self._current

    @property
    def generation(self) -> int:
        """How many times the index was swapped since start-up."""
        return self._generation

    def swap(self, conversation: Conversation) -> None:
        with self._lock:
            self._current = conversation
            self._generation += 1


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """What a reload did, a one-line account of it, and how long it took.

    Attributes:
        outcome: ``"swapped"`` (a new index is in use), ``"kept"`` (the rebuild failed or a note broke: the
            last good index stays) or ``"unchanged"`` (nothing to do).
    """

    outcome: Literal["swapped", "kept", "unchanged"]
    message: str
    seconds: float

    @property
    def swapped(self) -> bool:
        return self.outcome == "swapped"


class Reloader:
    """Keeps a ``LiveConversation`` in step with a notes folder. ``start`` the watcher, ``stop`` it on the way out.

    Args:
        live: What to swap new conversations into.
        notes: The notes folder (as the index was built from).
        cache_dir: The saved index's folder (``<cache>/index``), updated by each rebuild; None for none.
        debounce_ms: Quiet time after a change before rebuilding.
        poll_seconds: How often to compare the folder with the index anyway.
        on_reload: Called (in the reloader's thread) with each result, for tests and front ends.
    """

    def __init__(
        self,
        live: LiveConversation,
        notes: Path,
        *,
        cache_dir: Path | None,
        debounce_ms: int = 800,
        poll_seconds: float = 5.0,
        on_reload: Callable[[ReloadResult], None] | None = None,
    ) -> None:
        self._live = live
        self._notes = Path(notes)
        self._cache_dir = cache_dir
        self._debounce_ms = debounce_ms
        self._poll_ms = max(1, round(poll_seconds * 1000))
        self._on_reload = on_reload
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._root = self._notes.resolve()
        self._ignored = cache_dir.resolve() if cache_dir is not None else None
        self._kept_at: str | None = None  # the folder's fingerprint when a rebuild last failed

    @property
    def live(self) -> LiveConversation:
        return self._live

    # Rebuilding ---------------------------------------------------------------------------------------

    def reload(self, *, force: bool = False, reason: str = "") -> ReloadResult:
        """Rebuild now if the notes changed (always with ``force``) and swap the new index in.

        Blocks for the rebuild (seconds on a large folder): async code calls it through ``asyncio.to_thread``.
        One rebuild runs at a time; a second caller waits for the first and then checks again.
        """
        with self._lock:
            result = self._reload(force=force, reason=reason)
        if self._on_reload is not None and result.outcome != "unchanged":
            self._on_reload(result)
        return result

    def _reload(self, *, force: bool, reason: str) -> ReloadResult:
        current = self._live.current
        old = current.retriever
        on_disk = fingerprint(note_stats(self._notes))
        if not force and on_disk in (old.fingerprint, self._kept_at):
            message = "The notes have not changed since they were last read."
            if on_disk == self._kept_at:
                message = "The notes have not changed since the last failed rebuild."
            return ReloadResult("unchanged", message, 0.0)
        result = self._rebuild(current, force=force, reason=reason)
        self._kept_at = on_disk if result.outcome == "kept" else None
        return result

    def _rebuild(self, current: Conversation, *, force: bool, reason: str) -> ReloadResult:
        started = time.perf_counter()
        old = current.retriever
        why = f" ({reason})" if reason else ""
        try:
            new = self._build(force=force)
        except NotesQAError as exc:
            log.warning("keeping the last good index%s: %s", why, exc)
            return ReloadResult("kept", f"Kept the last good index: {exc}", time.perf_counter() - started)
        except Exception as exc:
            log.exception("keeping the last good index%s: rebuilding the notes failed", why)
            return ReloadResult(
                "kept", f"Kept the last good index: rebuilding failed ({type(exc).__name__}: {exc})",
                time.perf_counter() - started,
            )
        was_read = set(old.report.files)
        broken = [s for s in new.report.skipped if s.path in was_read]
        if broken:
            problems = "; ".join(f"{s.path}: {s.reason}" for s in broken)
            log.warning("keeping the last good index%s: %s", why, problems)
            return ReloadResult("kept", f"Kept the last good index: {problems}", time.perf_counter() - started)
        self._live.swap(Conversation(new, params=current.params))
        seconds = time.perf_counter() - started
        topics = sum(s.searchable for s in new.sections)
        files = len(new.report.files)
        log.info("reloaded the notes%s: %d topics from %d files in %.2fs", why, topics, files, seconds)
        plural = "" if files == 1 else "s"
        message = f"Reloaded the notes: {topics} topics from {files} file{plural} in {seconds:.2f} s."
        return ReloadResult("swapped", message, seconds)

    def _build(self, *, force: bool) -> Retriever:
        saved = self._cache_dir
        if not force:
            return Retriever.from_directory(self._notes, cache_dir=saved)
        built = Retriever.from_directory(self._notes)
        if saved is not None:
            try:
                built.save(saved)
            except OSError as exc:
                log.warning("could not save the index to %s: %s", saved, exc)
        return built

    # Watching -----------------------------------------------------------------------------------------

    def start(self) -> Reloader:
        """Start watching the notes folder in a background thread (named ``notes-qa-reload``)."""
        if self._thread is not None:
            raise RuntimeError("the reloader was already started")
        self._thread = threading.Thread(target=self._watch, name="notes-qa-reload", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop watching; a rebuild under way is finished first (up to ``timeout`` seconds)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _relevant(self, _change: object, path: str) -> bool:
        """Note files and folders (a removed folder has no suffix) outside hidden folders and the cache."""
        full = Path(path)
        try:
            parts = full.relative_to(self._root).parts
        except ValueError:
            return False
        if not parts or any(p.startswith(".") for p in parts):
            return False
        if self._ignored is not None and full.is_relative_to(self._ignored):
            return False
        return full.suffix.lower() in NOTE_SUFFIXES or not full.suffix

    def _watch(self) -> None:
        import watchfiles

        try:
            for changes in watchfiles.watch(
                self._root,
                watch_filter=self._relevant,
                debounce=self._debounce_ms,
                step=50,
                stop_event=self._stop,
                rust_timeout=self._poll_ms,
                yield_on_timeout=True,
                raise_interrupt=False,
            ):
                if self._stop.is_set():
                    break
                if changes:
                    names = sorted({Path(p).relative_to(self._root).as_posix() for _, p in changes})
                    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
                    self.reload(reason=f"changed: {shown}")
                else:  # a quiet spell: compare the folder with the index anyway
                    self.reload(reason="found by polling")
        except Exception:
            log.exception("stopped watching %s for changes; /reload still works", self._notes)
