"""The REPL through a pipe and in one-shot mode: ``main(argv)`` with scripted stdin, whole output and exit code.

The notes are one small file; the daemons section is long enough (four paragraphs, over 800 characters) to need
"more", and the cron and systemd-timers sections say the same thing so that a question about them is a tie.
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

from bot.repl import default_cache_dir, history_path, main, quits

LINUX = """\
# Linux

Short notes on Linux.

## Kernel

The kernel is the core of the operating system. It manages **memory**, devices and processes.

## Shell

A shell reads a command line and runs it, for example `ls -l`:

```bash
ls -l /tmp
```

## Daemons

A daemon is a background program that waits for work. It has no terminal of its own, so it writes what it has
to say to a log file or to the system journal, and it usually runs for as long as the machine is up. Mail
servers, web servers and schedulers are all daemons.

Daemons are started by the init system when the machine boots. On most distributions that is systemd, which
also restarts a daemon that crashes and collects its output. Older systems used shell scripts in a folder such
as /etc/init.d instead.

By tradition the name of a daemon ends in the letter d: sshd accepts remote logins, crond runs scheduled jobs
and journald collects logs.

Inside a container the same program usually runs in the foreground as process 1, and the container engine, not
the init system, starts it, stops it and keeps its output.

## Cron

Jobs can be scheduled to run at a fixed time.

## Systemd timers

Jobs can be scheduled.
"""

# "how are jobs scheduled?" ties Cron and Systemd timers: the same words, and sections of the same length
# once the heading's words are counted (three times each).
DAEMONS = LINUX.split("## Daemons\n\n")[1].split("\n\n## Cron")[0].split("\n\n")
SGR = re.compile(r"\x1b\[([0-9;]*)m")


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "linux.md").write_text(LINUX, encoding="utf-8")
    return folder


class Run:
    """Runs ``main`` with the given stdin and returns (exit code, stdout, stderr)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cache: Path) -> None:
        self._monkeypatch, self._capsys, self.cache = monkeypatch, capsys, cache

    def __call__(self, *argv: str, stdin: str = "", cache: bool = True) -> tuple[int, str, str]:
        self._monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        args = [*argv, "--cache-dir", str(self.cache)] if cache else list(argv)
        code = main(args)
        out, err = self._capsys.readouterr()
        return code, out, err


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Run:
    return Run(monkeypatch, capsys, tmp_path / "cache")


SESSION = """\
what does the kernel manage?
daemons
/more
more
how are jobs scheduled?

2
zygote quasar nebula
help me use the shell
/source
/bogus
"""

DECLINED = (
    "I couldn't find that in the notes: they never mention *zygote*, *quasar* or *nebula*. "
    "Type /topics to see what they cover."
)

TRANSCRIPT = f"""\
Linux › Kernel
source: linux.md:5

The kernel is the core of the operating system. It manages **memory**, devices and processes.

Linux › Daemons
source: linux.md:17

{DAEMONS[0]}

{DAEMONS[1]}

{DAEMONS[2]}

(more: /more)

Linux › Daemons
source: linux.md:17

{DAEMONS[3]}

Linux › Daemons
source: linux.md:17

That is all the notes say under **Daemons**. Next in the notes:

1. **Cron** · Linux

I'm not sure which part of the notes you mean. Did you mean:

1. **Cron** · Linux
2. **Systemd timers** · Linux
3. **Daemons** · Linux

Pick a number, or ask again in other words.

(topics: /topics)

Linux › Systemd timers
source: linux.md:37

Jobs can be scheduled.

{DECLINED}

(topics: /topics)

Linux › Shell
source: linux.md:9

A shell reads a command line and runs it, for example `ls -l`:

```bash
ls -l /tmp
```

**Shell** (under Linux) is at `linux.md:9` in the notes.

I don't know the command /bogus. The commands are /help, /topics, /more, /source, /reset.

"""


def test_a_whole_session_through_a_pipe(run: Run, notes: Path) -> None:
    code, out, err = run("--notes", str(notes), stdin=SESSION)
    assert (code, err) == (0, "")
    assert out == TRANSCRIPT
    assert (run.cache / "index" / "manifest.json").is_file()
    again = run("--notes", str(notes), stdin=SESSION)  # from the saved index: the same session
    assert again == (0, TRANSCRIPT, "")


def test_json_lines(run: Run, notes: Path) -> None:
    code, out, err = run("--notes", str(notes), "--json", stdin="what does the kernel manage?\n2\n")
    assert (code, err) == (0, "")
    kernel, two = (json.loads(line) for line in out.splitlines())
    assert kernel.pop("score") > 0
    assert kernel == {
        "question": "what does the kernel manage?",
        "kind": "answer",
        "answered": True,
        "section_id": "linux.md#kernel",
        "title": "Kernel",
        "trail": ["Linux"],
        "source": "linux.md:5",
        "context": None,
        "body": "The kernel is the core of the operating system. It manages **memory**, devices and processes.",
        "suggestions": [],
        "actions": [],
    }
    assert two == {
        "question": "2",
        "kind": "error",
        "answered": False,
        "section_id": None,
        "title": None,
        "trail": [],
        "source": None,
        "score": None,
        "context": None,
        "body": "There is no numbered list to pick 2 from. Ask a question, or type /topics.",
        "suggestions": [],
        "actions": [],
    }


def test_json_suggestions_carry_their_action_ids(run: Run, notes: Path) -> None:
    code, out, _ = run("--notes", str(notes), "--json", "--ask", "how are jobs scheduled?")
    assert code == 1
    reply = json.loads(out)
    assert [(s["number"], s["section_id"], s["title"], s["source"]) for s in reply["suggestions"]] == [
        (1, "linux.md#cron", "Cron", "linux.md:33"),
        (2, "linux.md#systemd-timers", "Systemd timers", "linux.md:37"),
        (3, "linux.md#daemons", "Daemons", "linux.md:17"),
    ]
    assert all(re.fullmatch(r"s:[0-9a-f]{16}", s["action"]) for s in reply["suggestions"])


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("what does the kernel manage?", 0),
        ("/topics", 0),
        ("/help", 0),
        ("how are jobs scheduled?", 1),  # not sure: a tie
        ("zygote quasar nebula", 1),  # not covered
        ("", 1),  # nothing to look up
        ("/more", 2),  # nothing to continue in a one-shot call
        ("/bogus", 2),
    ],
)
def test_ask_exit_codes(run: Run, notes: Path, question: str, code: int) -> None:
    got, out, err = run("--notes", str(notes), "--ask", question)
    assert (got, err) == (code, "")
    assert out.endswith("\n\n")


def test_ask_prints_one_answer(run: Run, notes: Path) -> None:
    code, out, err = run("--notes", str(notes), "--ask", "help me use the shell", stdin="ignored\n")
    assert (code, err) == (0, "")
    assert out == (
        "Linux › Shell\n"
        "source: linux.md:9\n"
        "\n"
        "A shell reads a command line and runs it, for example `ls -l`:\n"
        "\n"
        "```bash\n"
        "ls -l /tmp\n"
        "```\n"
        "\n"
    )


@pytest.mark.parametrize("command", ["/quit", "/exit", "/q", "/QUIT"])
def test_quit_ends_a_piped_session_and_what_follows_is_not_asked(run: Run, notes: Path, command: str) -> None:
    lines = f"what does the kernel manage?\n{command}\nhelp me use the shell\n"
    code, out, err = run("--notes", str(notes), stdin=lines)
    assert (code, err) == (0, "")
    assert "source: linux.md:5" in out  # the kernel
    assert "source: linux.md:9" not in out  # the shell: asked after /quit
    assert "I don't know the command" not in out


def test_only_the_slash_commands_quit_a_word_alone_is_a_question() -> None:
    assert all(quits(line) for line in ("/quit", "/exit", "/q", " /Quit ", "/quit@notes_qa_bot"))
    assert not any(quits(line) for line in ("quit", "exit", "how do I exit a container?", "/quitting", "/help", ""))


def test_help_in_the_repl_lists_its_own_commands_after_the_cores(run: Run, notes: Path) -> None:
    code, out, err = run("--notes", str(notes), stdin="/help\n")
    assert (code, err) == (0, "")
    assert out.index("/reset") < out.index("/good") < out.index("/quit")


def one_error_line(err: str, *, about: Path, prefix: str = "error: ") -> bool:
    """``err`` is one line that starts with ``prefix`` and names ``about`` (the library words the rest)."""
    return err.count("\n") == 1 and err.endswith("\n") and err.startswith(prefix) and str(about) in err


def test_a_missing_notes_folder_is_one_line_and_exit_2(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    code, out, err = run("--notes", str(missing), "--ask", "what is a kernel")
    assert (code, out) == (2, "")
    assert one_error_line(err, about=missing)


def test_a_folder_without_notes_and_a_file_instead_of_a_folder(run: Run, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "picture.png").write_bytes(b"\x89PNG")
    code, out, err = run("--notes", str(empty), stdin="what is a kernel\n")
    assert (code, out) == (2, "")
    assert one_error_line(err, about=empty)
    code, out, err = run("--notes", str(empty / "picture.png"), stdin="what is a kernel\n")
    assert (code, out) == (2, "")
    assert one_error_line(err, about=empty / "picture.png")


def test_a_corrupt_saved_index_is_rebuilt_with_one_warning(run: Run, notes: Path) -> None:
    assert run("--notes", str(notes), "--ask", "what does the kernel manage?")[0] == 0
    (run.cache / "index" / "sections.json").write_text("{ not json", encoding="utf-8")
    code, out, err = run("--notes", str(notes), "--ask", "what does the kernel manage?")
    assert (code, out.splitlines()[0]) == (0, "Linux › Kernel")
    assert one_error_line(err, about=run.cache / "index", prefix="warning: ")
    assert run("--notes", str(notes), "--ask", "what does the kernel manage?")[2] == ""  # repaired


def test_an_unusable_cache_folder_is_a_warning_not_an_error(run: Run, notes: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    code, out, err = run("--notes", str(notes), "--cache-dir", str(blocker), "--ask", "kernel", cache=False)
    assert (code, out.splitlines()[0]) == (0, "Linux › Kernel")
    assert err.count("\n") == 1 and err.startswith("warning: ")
    assert "Traceback" not in err


def test_usage_errors_exit_2(run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run("--frobnicate", cache=False)
    assert (code, out) == (2, "")
    assert err.startswith("usage: python -m bot.repl")
    assert err.endswith("error: unrecognized arguments: --frobnicate\n")
    code, out, err = run("--help", cache=False)
    assert (code, err) == (0, "")
    assert "--ask QUESTION" in out and "--cache-dir DIR" in out


def test_the_default_cache_and_history_follow_xdg(
    run: Run, notes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_home = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    assert run("--notes", str(notes), "--ask", "kernel", cache=False)[0] == 0
    saved = list(cache_home.glob("notes-qa/*/index/manifest.json"))
    assert saved == [default_cache_dir(notes) / "index" / "manifest.json"]
    assert re.fullmatch(r"[0-9a-f]{16}", default_cache_dir(notes).name)
    assert default_cache_dir(notes) != default_cache_dir(tmp_path)
    assert history_path() == tmp_path / "xdg-state" / "notes-qa" / "history"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # not absolute: ignored, as the XDG spec says
    assert default_cache_dir(notes).parent == Path.home() / ".cache" / "notes-qa"


# Terminal rendering -------------------------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _colours(text: str) -> list[str]:
    """The SGR parameters in ``text`` that set a colour (foreground or background)."""
    found = []
    for params in SGR.findall(text):
        for p in params.split(";"):
            if p and (30 <= int(p) <= 49 or 90 <= int(p) <= 107):
                found.append(p)
    return found


def _on_a_terminal(notes: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, question: str) -> str:
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["--notes", str(notes), "--cache-dir", str(cache), "--ask", question]) == 0
    return terminal.getvalue()


def test_a_terminal_gets_rendered_markdown_in_colour(
    notes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _on_a_terminal(notes, tmp_path / "cache", monkeypatch, "help me use the shell")
    plain = SGR.sub("", out)
    assert "```" not in plain  # the code block is rendered, not shown as Markdown
    assert "ls -l /tmp" in plain and "Linux › Shell" in plain
    assert "\x1b[1mLinux › Shell\x1b[0m" in out  # the heading trail in bold
    assert "\x1b[2msource: linux.md:9\x1b[0m" in out  # the source dimmed
    assert _colours(out)


def test_no_color_means_no_colour(notes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    out = _on_a_terminal(notes, tmp_path / "cache", monkeypatch, "help me use the shell")
    assert "ls -l /tmp" in SGR.sub("", out)
    assert "\x1b[1mLinux › Shell\x1b[0m" in out  # bold is not colour
    assert _colours(out) == []


def test_a_pipe_gets_no_escape_codes(run: Run, notes: Path) -> None:
    _, out, _ = run("--notes", str(notes), stdin="help me use the shell\n/topics\n")
    assert "\x1b" not in out


def test_completion_of_commands_and_titles() -> None:
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from bot.prompt import NotesCompleter

    completer = NotesCompleter(["/help", "/topics", "/more"], ["Kernel", "Systemd timers", "Shell", "Kernel space"])

    def complete(text: str) -> list[str]:
        return [c.text for c in completer.get_completions(Document(text), CompleteEvent(completion_requested=True))]

    assert complete("/t") == ["/topics"]
    assert complete("/topics") == []  # nothing to add
    assert complete("ker") == ["Kernel", "Kernel space"]
    assert complete("  SYST") == ["Systemd timers"]
    assert complete("ell") == ["Shell"]  # inside a title, from three letters on
    assert complete("el") == []
    assert complete("") == []
