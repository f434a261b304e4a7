"""The conversation core: a message and the conversation's state in, a reply and the next state out.

Front ends (the REPL, the Telegram bot) only translate: they pass the user's text to ``respond`` or a pressed
button's id to ``choose``, render the ``Reply`` and keep the returned ``State`` for the next turn.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from bot import messages
from bot.commands import MAX_CHOICE_DIGITS, Command, parse_command
from bot.followups import leading_section, may_follow_up, message_words, prefer_contextual, settled_by_reference
from bot.passages import best_run, join, next_run, split_passages
from bot.replies import Action, Match, Reply, ReplyKind, Source, Suggestion
from bot.smalltalk import SmallTalk, small_talk
from bot.state import MAX_CONTEXT_CHARS, State
from bot.topics import TopicPage, topic_pages
from index import Answer, Hit, Retriever, Section, Verdict

_TITLE_WORDS = re.compile(r"[^\W_]+")
MORE = Action("more", "More", "/more")
TOPICS = Action("t:1", "Topics", "/topics")


@dataclass(frozen=True, slots=True)
class ConversationParams:
    """How the conversation trims and offers things.

    Attributes:
        passage_chars: A section longer than this is trimmed to its most relevant passage of at most this
            many characters, the rest following on "more". 800 is a screenful in a terminal and a short
            chat message.
        suggestions: How many runner-up sections to ask the retriever for (an unsure reply offers the best
            section and these).
        topics_per_page: Entries on one page of /topics.
        follow_up_words: A message of at most this many words may be read as a follow-up to the last turn.
    """

    passage_chars: int = 800
    suggestions: int = 3
    topics_per_page: int = 12
    follow_up_words: int = 8

    def __post_init__(self) -> None:
        for name, low in (("passage_chars", 100), ("suggestions", 1), ("topics_per_page", 1), ("follow_up_words", 1)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise ValueError(f"{name} must be an integer of at least {low}, got {value!r}")


def action_key(section_id: str) -> str:
    """The action id that answers a section: ``"s:"`` and 16 hex digits of its id's BLAKE2b hash."""
    return "s:" + hashlib.blake2b(section_id.encode("utf-8"), digest_size=8).hexdigest()


def _title_key(text: str) -> str:
    return " ".join(_TITLE_WORDS.findall(unicodedata.normalize("NFKC", text).casefold()))


class Conversation:
    """Answers messages from one retriever's notes; one instance serves any number of chats.

    It holds no per-chat data: everything a chat needs between turns is in the ``State`` passed in and
    returned, so it is safe to share between threads and tasks.

    >>> from index import Record, Retriever
    >>> notes = Retriever.from_records([Record("n", "Notes", "# Kernel\\nThe kernel manages memory.")])
    >>> reply, state = Conversation(notes).respond("what does the kernel do?", State())
    >>> reply.kind.value, reply.title, str(reply.source)
    ('answer', 'Kernel', 'n:1')
    """

    def __init__(self, retriever: Retriever, *, params: ConversationParams | None = None) -> None:
        self._retriever = retriever
        self._params = params or ConversationParams()
        listed = [s for s in retriever.sections if s.searchable]
        self._by_key = {action_key(s.id): s for s in listed}
        self._by_title: dict[str, list[Section]] = {}
        for section in listed:
            self._by_title.setdefault(_title_key(section.title), []).append(section)
        self._pages = topic_pages(listed, per_page=self._params.topics_per_page)
        self._following = {a.id: b for a, b in pairwise(listed) if a.path == b.path}
        questions = [s.title for s in listed if s.title.endswith("?")]
        self._example = questions[0] if questions else (listed[0].title if listed else None)

    @property
    def retriever(self) -> Retriever:
        return self._retriever

    @property
    def params(self) -> ConversationParams:
        return self._params

    def topic_titles(self) -> tuple[str, ...]:
        """The titles of the sections that can be answers, each once, in notes order (for completion)."""
        return tuple(dict.fromkeys(e.section.title for page in self._pages for e in page.entries))

    # Entry points ---------------------------------------------------------------------------------------

    def respond(self, text: str, state: State | None = None) -> tuple[Reply, State]:
        """Reply to a message: a question, a follow-up, "more", a number, or a ``/command``."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        state = state or State()
        command = parse_command(text)
        if command is None:
            return self._ask(text.strip(), state)
        return self._command(command, text.strip(), state)

    def choose(self, action: str, state: State | None = None) -> tuple[Reply, State]:
        """Carry out an action id from a reply's ``suggestions`` or ``actions`` (a pressed button).

        Ids: ``"s:<hash>"`` answers a section, ``"more"`` continues the last answer, ``"t:<page>"`` shows a
        page of topics; ``"help"``, ``"source"`` and ``"reset"`` work as the commands do. An id that is not
        (or no longer) valid gets an error reply and leaves the state as it was.
        """
        if not isinstance(action, str):
            raise TypeError(f"action must be a str, got {type(action).__name__}")
        state = state or State()
        if action.startswith("s:"):
            section = self._by_key.get(action)
            if section is None:
                return Reply(ReplyKind.ERROR, messages.STALE_CHOICE), state
            return self._answer_section(section, state)
        if action.startswith("t:"):
            return self._topics(action[2:], state)
        if action in ("more", "help", "source", "reset", "topics"):
            return self._command(Command(action), f"/{action}", state)
        return Reply(ReplyKind.ERROR, messages.STALE_CHOICE), state

    # Questions ------------------------------------------------------------------------------------------

    def _ask(self, question: str, state: State) -> tuple[Reply, State]:
        same_title = self._by_title.get(_title_key(question), []) if question else []
        if len(same_title) == 1:  # a topic's exact title (as tab completion offers) opens it from the start
            return self._answer_section(same_title[0], state)
        if same_title:
            suggestions = self._suggest(same_title)
            reply = Reply(ReplyKind.UNSURE, messages.same_title_text(suggestions), suggestions=suggestions)
            return reply, self._after_choices(reply, state, context=question)
        talk = small_talk(question)
        if talk is SmallTalk.HELP:
            return self._command(Command("help"), "/help", state)
        if talk is not None:  # the state is kept: "thanks" then "and its limits?" still follows up
            text = messages.THANKS if talk is SmallTalk.THANKS else messages.greeting_text(self._example)
            return Reply(ReplyKind.EMPTY, text, actions=(TOPICS,)), state
        wanted = self._params.suggestions
        answer = self._retriever.answer(question, suggestions=wanted)
        context: str | None = None
        # A message of no words ("???", an emoji) says nothing to read in the light of the last answer.
        if state.context and message_words(question) and may_follow_up(
            question, answer, max_words=self._params.follow_up_words
        ):
            contextual = self._retriever.answer(f"{question} {state.context}", suggestions=wanted)
            contextual = settled_by_reference(question, contextual, state.section_id)
            if prefer_contextual(
                question,
                answer,
                contextual,
                context_found=self._mentions(contextual, state.context),
                names_own_heading=self._names_heading(question, answer),
            ):
                if (contextual.verdict, _section_of(contextual)) != (answer.verdict, _section_of(answer)):
                    context = state.context  # say so only when the context changed the answer
                answer = contextual
        return self._reply_to(answer, state, context)

    def _mentions(self, answer: Answer, context: str) -> bool:
        """Whether the section ``answer`` leads with contains any of the words of ``context``."""
        section = leading_section(answer)
        if section is None:
            return False
        text = " ".join((*section.trail, section.title, section.text))
        return self._retriever.score_text(context, [text])[0] > 0

    def _names_heading(self, question: str, answer: Answer) -> bool:
        """Whether every word of the heading of ``answer``'s hit is in ``question`` (spelling corrected)."""
        if answer.hit is None:
            return False
        title = answer.hit.section.title
        named, whole = self._retriever.score_text(question, [title])[0], self._retriever.score_text(title, [title])[0]
        return whole > 0 and named >= whole * (1 - 1e-6)

    def _reply_to(self, answer: Answer, state: State, context: str | None) -> tuple[Reply, State]:
        asked = answer.question
        matches = _matches(answer)
        if answer.verdict is Verdict.ANSWERED and answer.hit is not None:
            reply, state = self._answer_section(
                answer.hit.section, state, question=asked, hit=answer.hit, context=context
            )
            return replace(reply, matches=matches), state
        if answer.verdict is Verdict.EMPTY:
            return Reply(ReplyKind.EMPTY, messages.EMPTY, actions=(TOPICS,)), state
        tied = answer.verdict is Verdict.AMBIGUOUS
        hits: Sequence[Hit] = (*([answer.hit] if answer.hit else []), *answer.suggestions)
        # Naming the words the notes never use tells the asker what to change.
        unknown = () if tied else self._retriever.reading(asked).unknown
        if not hits:
            reply = Reply(
                ReplyKind.NOT_COVERED,
                messages.not_covered_text(unknown),
                context=context,
                actions=(TOPICS,),
                matches=matches,
            )
            return reply, replace(state, section_id=None, shown=(), context="")
        suggestions = self._suggest([h.section for h in hits])
        reply = Reply(
            ReplyKind.UNSURE,
            messages.unsure_text(suggestions, tied=tied, unknown=unknown),
            context=context,
            suggestions=suggestions,
            actions=(TOPICS,),
            matches=matches,
        )
        return reply, self._after_choices(reply, state, context=asked if tied else "")

    def _after_choices(self, reply: Reply, state: State, *, context: str) -> State:
        """An unsure reply ends the last answer (nothing to continue) and offers its numbered choices."""
        return State(
            section_id=None,
            shown=(),
            context=context[:MAX_CONTEXT_CHARS],
            choices=tuple(s.section_id for s in reply.suggestions),
        )

    def _answer_section(
        self,
        section: Section,
        state: State,
        *,
        question: str = "",
        hit: Hit | None = None,
        context: str | None = None,
    ) -> tuple[Reply, State]:
        passages = self._passages(section)
        limit = self._params.passage_chars
        scores = self._retriever.score_text(question, passages) if question else [0.0] * len(passages)
        run = best_run(passages, scores, max_chars=limit)
        more = len(run) < len(passages)
        reply = _about(
            section,
            ReplyKind.ANSWER,
            join(passages, run),
            score=hit.score if hit else None,
            context=context,
            actions=(MORE,) if more else (),
        )
        next_state = replace(
            state, section_id=section.id, shown=tuple(run), context=section.title[:MAX_CONTEXT_CHARS]
        )
        return reply, next_state

    def _passages(self, section: Section) -> tuple[str, ...]:
        return split_passages(section.markdown, max_chars=self._params.passage_chars)

    def _suggest(self, sections: Sequence[Section]) -> tuple[Suggestion, ...]:
        return tuple(
            Suggestion(n, action_key(s.id), s.id, s.title, s.trail, Source(s.path, s.line))
            for n, s in enumerate(sections, start=1)
        )

    # Commands -------------------------------------------------------------------------------------------

    def _command(self, command: Command, text: str, state: State) -> tuple[Reply, State]:
        name = command.name
        if name == "choose":
            return self._choose_number(command, state)
        if name == "more":
            return self._more(state)
        if name == "help":
            return Reply(ReplyKind.HELP, messages.help_text(self._example), actions=(TOPICS,)), state
        if name == "topics":
            return self._topics(command.argument or "1", state)
        if name == "source":
            return self._source(state)
        if name == "reset":
            return Reply(ReplyKind.RESET, messages.RESET), State()
        return Reply(ReplyKind.ERROR, messages.unknown_command(name)), state

    def _choose_number(self, command: Command, state: State) -> tuple[Reply, State]:
        number = int(command.argument)
        if not 1 <= number <= len(state.choices):
            # Bare or with "/", a number is a pick, never a question: the notes' best match for "2" is a guess.
            return Reply(ReplyKind.ERROR, messages.no_such_choice(number, len(state.choices))), state
        try:
            section = self._retriever.section(state.choices[number - 1])
        except KeyError:
            return Reply(ReplyKind.ERROR, messages.STALE_CHOICE), state
        return self._answer_section(section, state)

    def _more(self, state: State) -> tuple[Reply, State]:
        if state.section_id is None:
            return Reply(ReplyKind.ERROR, messages.NOTHING_TO_CONTINUE), state
        try:
            section = self._retriever.section(state.section_id)
        except KeyError:
            return Reply(ReplyKind.ERROR, messages.STALE_CHOICE), replace(state, section_id=None, shown=())
        passages = self._passages(section)
        shown = {i for i in state.shown if 0 <= i < len(passages)}
        run = next_run(passages, shown, max_chars=self._params.passage_chars)
        if not run:
            following = self._following.get(section.id)
            suggestions = self._suggest([following]) if following else ()
            body = messages.end_of_section(section.title, suggestions)
            reply = _about(section, ReplyKind.MORE, body, suggestions=suggestions)
            choices = tuple(s.section_id for s in suggestions) or state.choices
            return reply, replace(state, choices=choices)
        shown |= set(run)
        actions = (MORE,) if len(shown) < len(passages) else ()
        reply = _about(section, ReplyKind.MORE, join(passages, run), actions=actions)
        return reply, replace(state, shown=tuple(sorted(shown)))

    def _topics(self, argument: str, state: State) -> tuple[Reply, State]:
        pages = self._pages
        if not pages:
            return Reply(ReplyKind.TOPICS, messages.NO_TOPICS), state
        if not (argument.isdecimal() and len(argument) <= MAX_CHOICE_DIGITS and 1 <= int(argument) <= len(pages)):
            return Reply(ReplyKind.ERROR, messages.bad_page(argument, len(pages))), state
        page = pages[int(argument) - 1]
        suggestions = self._suggest([e.section for e in page.entries])
        reply = Reply(
            ReplyKind.TOPICS,
            messages.topics_text(page, len(pages)),
            suggestions=suggestions,
            actions=_page_actions(page, len(pages)),
        )
        return reply, replace(state, choices=tuple(s.section_id for s in suggestions))

    def _source(self, state: State) -> tuple[Reply, State]:
        if state.section_id is None:
            return Reply(ReplyKind.ERROR, messages.NO_SOURCE), state
        try:
            section = self._retriever.section(state.section_id)
        except KeyError:
            return Reply(ReplyKind.ERROR, messages.STALE_CHOICE), state
        body = messages.source_text(section.title, section.trail, section.source)
        return _about(section, ReplyKind.SOURCE, body), state


def _matches(answer: Answer) -> tuple[Match, ...]:
    """The sections the retriever ranked for ``answer``, best first, with their scores."""
    hits = (*([answer.hit] if answer.hit else []), *answer.suggestions)
    return tuple(Match(h.section.id, h.score) for h in hits)


def _section_of(answer: Answer) -> str | None:
    return answer.hit.section.id if answer.hit else None


def _about(
    section: Section,
    kind: ReplyKind,
    body: str,
    *,
    score: float | None = None,
    context: str | None = None,
    suggestions: tuple[Suggestion, ...] = (),
    actions: tuple[Action, ...] = (),
) -> Reply:
    """A reply about one section: its title, trail, source and id filled in."""
    return Reply(
        kind,
        body,
        title=section.title,
        trail=section.trail,
        source=Source(section.path, section.line),
        section_id=section.id,
        score=score,
        context=context,
        suggestions=suggestions,
        actions=actions,
    )


def _page_actions(page: TopicPage, pages: int) -> tuple[Action, ...]:
    actions = []
    if page.number > 1:
        actions.append(Action(f"t:{page.number - 1}", "Previous page", f"/topics {page.number - 1}"))
    if page.number < pages:
        actions.append(Action(f"t:{page.number + 1}", "Next page", f"/topics {page.number + 1}"))
    return tuple(actions)
