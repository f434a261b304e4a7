"""The conversation core's parts on their own: passages, commands, follow-up rule, topic pages, state, and
the house rule that the core stays channel-independent."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bot
from bot.commands import Command, parse_command
from bot.followups import leans_on_previous, may_follow_up, prefer_contextual
from bot.passages import best_run, join, next_run, split_passages
from bot.state import State
from bot.topics import topic_pages
from index import Answer, Hit, Section, Verdict

BOT = Path(bot.__file__).resolve().parent
FRONT_ENDS = {"repl.py", "prompt.py", "render.py", "__main__.py", "paths.py"}


# Passages ------------------------------------------------------------------------------------------------


def test_passages_are_blocks_with_fences_and_introductions_kept_whole() -> None:
    markdown = (
        "First paragraph,\nover two lines.\n\n"
        "You can see it yourself:\n\n"
        "```bash\necho one\n\necho two\n```\n\n"
        "- a list\n- of two\n"
    )
    assert split_passages(markdown, max_chars=1000) == (
        "First paragraph,\nover two lines.",
        "You can see it yourself:\n\n```bash\necho one\n\necho two\n```",
        "- a list\n- of two",
    )


def test_long_blocks_are_cut_at_sentences_items_and_lines() -> None:
    paragraph = "One two three. Four five six. Seven eight nine."
    assert split_passages(paragraph, max_chars=30) == ("One two three. Four five six.", "Seven eight nine.")
    items = "- alpha alpha\n  continued\n- beta beta\n- gamma gamma"
    assert split_passages(items, max_chars=30) == ("- alpha alpha\n  continued", "- beta beta\n- gamma gamma")
    code = "```py\n" + "\n".join(f"x{n} = {n}" for n in range(6)) + "\n```"
    assert split_passages(code, max_chars=30) == (
        "```py\nx0 = 0\nx1 = 1\nx2 = 2\n```",
        "```py\nx3 = 3\nx4 = 4\nx5 = 5\n```",
    )
    table = "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |"
    assert split_passages(table, max_chars=10) == (table,)


def test_edge_cases_of_splitting() -> None:
    assert split_passages("", max_chars=100) == ()
    assert split_passages("\n\n  \n", max_chars=100) == ()
    assert split_passages("```\nnever closed\n\nstill code", max_chars=100) == ("```\nnever closed\n\nstill code",)
    assert split_passages("averyveryverylongwordwithoutbreaks", max_chars=5) == ("averyveryverylongwordwithoutbreaks",)
    with pytest.raises(ValueError, match="max_chars must be a positive number of characters, got 0"):
        split_passages("x", max_chars=0)


def test_best_run_adds_up_relevance_within_the_budget() -> None:
    passages = ["a" * 40, "b" * 40, "c" * 40, "d" * 40]
    assert best_run(passages, [0, 0, 0, 5], max_chars=90) == range(2, 4)  # ties go to the earlier run
    assert best_run(passages, [0, 0, 0, 0], max_chars=90) == range(0, 2)
    assert best_run(passages, [1, 0, 0, 1.5], max_chars=90) == range(0, 2)  # the opening counts double
    assert best_run(passages, [1, 0, 0, 2.5], max_chars=90) == range(2, 4)
    assert best_run(passages, [0, 0, 0, 0], max_chars=1000) == range(0, 4)
    assert best_run([], [], max_chars=90) == range(0)
    with pytest.raises(ValueError, match="got 1 scores for 4 passages"):
        best_run(passages, [1], max_chars=90)


def test_a_short_run_takes_one_more_passage_even_past_the_budget() -> None:
    passages = ["intro:", "x" * 100, "y" * 100]
    assert best_run(passages, [0, 0, 0], max_chars=100) == range(0, 2)
    assert best_run(["x" * 300, "y"], [0, 0], max_chars=100) == range(0, 1)  # one long passage stays alone


def test_next_run_continues_then_wraps_then_ends() -> None:
    passages = ["a" * 40, "b" * 40, "c" * 40, "d" * 40, "e" * 40]
    assert next_run(passages, {2}, max_chars=90) == range(3, 5)
    assert next_run(passages, {2, 3, 4}, max_chars=90) == range(0, 2)
    assert next_run(passages, {0, 2, 3, 4}, max_chars=90) == range(1, 2)  # stops before a passage shown
    assert next_run(passages, {0, 1, 2, 3, 4}, max_chars=90) == range(0)
    assert next_run(passages, set(), max_chars=90) == range(0, 2)
    assert join(passages, range(0, 2)) == "a" * 40 + "\n\n" + "b" * 40


# Commands ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("/help", Command("help")),
        ("  /Topics 2 ", Command("topics", "2")),
        ("/topic", Command("topics")),
        ("/help@NotesQABot", Command("help")),
        ("/start", Command("help")),
        ("/3", Command("choose", "3")),
        ("3", Command("choose", "3", marked=False)),
        ("more", Command("more", marked=False)),
        ("Tell me MORE!", Command("more", marked=False)),
        ("go on", Command("more", marked=False)),
        ("/whatever x", Command("whatever", "x")),
        ("/" + "9" * 5000, Command("9" * 5000)),  # too long to be a choice (int() refuses 4,301 digits)
        ("/", Command("")),
    ],
)
def test_commands(text: str, command: Command) -> None:
    assert parse_command(text) == command


@pytest.mark.parametrize(
    "text",
    ["help", "help me with volumes", "more about volumes", "tell me about the kernel", "3 ways", "", "a/b", "9" * 5000],
)
def test_questions_are_not_commands(text: str) -> None:
    assert parse_command(text) is None


# Follow-ups ----------------------------------------------------------------------------------------------


def _section(title: str) -> Section:
    return Section(id=f"n.md#{title.lower()}", path="n.md", title=title, trail=(), level=2, line=1,
                   markdown=title, text=title)


def _answer(verdict: Verdict, title: str | None) -> Answer:
    hit = Hit(_section(title), 1.0, 1.0) if title else None
    return Answer("q", hit if verdict in (Verdict.ANSWERED, Verdict.AMBIGUOUS) else None,
                  (Hit(_section(title), 1.0, 0.2),) if title and verdict is Verdict.NOT_COVERED else (),
                  verdict)


def test_what_leans_on_the_previous_turn() -> None:
    assert leans_on_previous("and its advantages?")
    assert leans_on_previous("How is it different from a VM?")
    assert leans_on_previous("what's that?")
    assert leans_on_previous("Is it\u2019s size fixed?")
    assert not leans_on_previous("and containerd?")
    assert not leans_on_previous("italy items")  # words, not letters


def test_who_may_follow_up() -> None:
    answered, unsure = _answer(Verdict.ANSWERED, "A"), _answer(Verdict.AMBIGUOUS, "A")
    assert may_follow_up("and its advantages?", answered, max_words=8)
    assert not may_follow_up("and containerd?", answered, max_words=8)
    assert may_follow_up("and containerd?", unsure, max_words=8)
    assert not may_follow_up("one two three four five six seven eight nine", unsure, max_words=8)


def test_when_the_contextual_answer_wins() -> None:
    answered_a, answered_b = _answer(Verdict.ANSWERED, "A"), _answer(Verdict.ANSWERED, "B")
    unsure, empty = _answer(Verdict.AMBIGUOUS, "A"), _answer(Verdict.EMPTY, None)

    def wins(text: str, own: Answer, contextual: Answer, *, found: bool = True, named: bool = False) -> bool:
        return prefer_contextual(text, own, contextual, context_found=found, names_own_heading=named)

    assert wins("why?", empty, answered_a)  # a better verdict
    assert not wins("why?", empty, answered_a, found=False)  # the context is not in the section
    assert wins("and its size?", answered_a, answered_b)  # a pronoun, and as good
    assert not wins("and the size?", answered_a, answered_b)  # as good, but no pronoun
    assert not wins("and its size?", answered_a, unsure)  # a worse verdict
    # "What is A and its size?" names A's heading: the pronoun points inside the sentence.
    assert not wins("A and its size?", answered_a, answered_b, named=True)
    assert wins("why?", empty, answered_a, named=True)  # only a confident own answer counts


# Topic pages ---------------------------------------------------------------------------------------------


def test_topic_nesting_skips_headings_without_text() -> None:
    def section(title: str, trail: tuple[str, ...], text: str = "text", path: str = "a.md") -> Section:
        return Section(id=f"{path}#{title}", path=path, title=title, trail=trail, level=len(trail) + 1, line=1,
                       markdown=text, text=text)

    sections = [
        section("Top", (), text=""),
        section("Child", ("Top",)),
        section("Grandchild", ("Top", "Child")),
        section("Other child", ("Top",)),
        section("Elsewhere", (), path="b.md"),
    ]
    pages = topic_pages(sections, per_page=3)
    assert [(p.number, p.path, [(e.section.title, e.depth) for e in p.entries]) for p in pages] == [
        (1, "a.md", [("Child", 0), ("Grandchild", 1), ("Other child", 0)]),
        (2, "b.md", [("Elsewhere", 0)]),
    ]
    assert topic_pages([], per_page=3) == ()
    with pytest.raises(ValueError, match="per_page must be 1 or more, got 0"):
        topic_pages(sections, per_page=0)


# State ---------------------------------------------------------------------------------------------------


def test_state_round_trips_through_json() -> None:
    state = State("a.md#x", (0, 2), "Topic «é»", ("a.md#x", "b.md#y"))
    assert State.from_json(state.to_json()) == state
    assert State.from_json(state.to_json().encode()) == state
    assert State().to_json() == '{"v":1,"section":null,"shown":[],"context":"","choices":[]}'


@pytest.mark.parametrize(
    "text",
    ["", "not json", "[]", '{"v":2}', '{"v":1,"shown":["0"]}', '{"v":1,"shown":[true]}', '{"v":1,"section":3}',
     '{"v":1,"choices":[1]}', b"\xff"],
)
def test_bad_state_json_is_a_value_error(text: str | bytes) -> None:
    with pytest.raises(ValueError, match="not a conversation state"):
        State.from_json(text)


# House rules ---------------------------------------------------------------------------------------------


def test_the_core_is_channel_independent() -> None:
    """The core modules import no terminal or Telegram library and read no environment: front ends do."""
    forbidden = {"telegram", "prompt_toolkit", "rich", "dotenv", "os"}
    core = [p for p in BOT.glob("*.py") if p.name not in FRONT_ENDS]
    assert {p.name for p in core} >= {"__init__.py", "conversation.py", "replies.py", "state.py", "passages.py"}
    for path in core:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not {n.split(".")[0] for n in names} & forbidden, f"{path.name} imports {names}"


def test_public_names() -> None:
    assert bot.__all__ == [
        "COMMANDS", "Action", "Command", "CommandInfo", "Conversation", "ConversationParams", "Reply", "ReplyKind",
        "Source", "State", "Suggestion", "action_key", "parse_command",
    ]
    for name in bot.__all__:
        assert getattr(bot, name) is not None


def test_without_a_pronoun_context_only_settles_a_tie_between_its_candidates() -> None:
    tie = Answer("q", Hit(_section("A"), 1.0, 1.0), (Hit(_section("B"), 0.95, 1.0), Hit(_section("C"), 0.5, 1.0)),
                 Verdict.AMBIGUOUS)
    b, c = _answer(Verdict.ANSWERED, "B"), _answer(Verdict.ANSWERED, "C")
    assert prefer_contextual("how are jobs scheduled?", tie, b, context_found=True, names_own_heading=False)
    assert not prefer_contextual("how are jobs scheduled?", tie, c, context_found=True, names_own_heading=False)
    assert prefer_contextual("how are they scheduled?", tie, c, context_found=True, names_own_heading=False)
