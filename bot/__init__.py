"""notes-qa's conversation core: turns a message and a conversation state into a reply, for any front end.

Nothing here knows about terminals or Telegram. A front end keeps one ``State`` per chat, passes each
message to ``Conversation.respond`` (or a pressed button's id to ``Conversation.choose``), renders the
``Reply`` it gets back and stores the new state::

    from bot import Conversation, State
    from index import Retriever

    conversation = Conversation(Retriever.from_directory("corpus", cache_dir=".cache/index"))
    state = State()                                              # or State.from_json(saved_text)
    reply, state = conversation.respond("what is a kernel?", state)
    reply.kind            # ReplyKind.ANSWER, UNSURE, NOT_COVERED, EMPTY, MORE, HELP, TOPICS, SOURCE, RESET, ERROR
    reply.title, reply.trail, str(reply.source)                 # 'What is a kernel?', (...), '03-linux.md:5'
    reply.body                                                   # Markdown: the passage, or the whole message
    [(s.number, s.title, s.action) for s in reply.suggestions]  # numbered choices; action is "s:<16 hex>"
    [(a.label, a.id, a.command) for a in reply.actions]          # ("More", "more", "/more"), ("Next page", "t:2", ...)
    [(m.section_id, m.score) for m in reply.matches]             # what the retriever ranked (bot.replies.Match)
    reply, state = conversation.choose(reply.suggestions[0].action, state)   # a button was pressed
    saved_text = state.to_json()                                 # a few hundred bytes, e.g. for SQLite

What a message can be:

- a question in plain words. The answer is the section that fits, trimmed to its most relevant passage when
  it is long (``passage_chars``); ``/more`` continues it. When the retriever is unsure (two sections nearly
  tied, or none fits well enough) the reply is ``UNSURE`` and lists the closest sections as numbered choices;
  when nothing comes close it is ``NOT_COVERED``. Typing a topic's exact title opens that topic.
- a short follow-up ("and its advantages?", "why?"), read in the light of the previous answer's title when it
  refers back with a pronoun or matches weakly on its own (see ``bot.followups``).
- ``/help``, ``/topics [page]``, ``/more`` (also plain "more", "tell me more"), ``/source``, ``/reset``, and a
  number (``2`` or ``/2``) to pick from the last numbered list. Commands need the ``/``: "help me with volumes"
  is a question. ``/start`` is an alias of ``/help``; ``/help@SomeBot`` is understood.

Action ids (``Suggestion.action``, ``Action.id``) are at most 18 bytes and fit Telegram's callback data. They
do not depend on the state, so a button on an old message still does what it says. A ``Conversation`` holds
no per-chat data and can serve every chat at once; it is cheap to call (no I/O).
"""

from bot.commands import COMMANDS, Command, CommandInfo, parse_command
from bot.conversation import Conversation, ConversationParams, action_key
from bot.replies import Action, Reply, ReplyKind, Source, Suggestion
from bot.state import State

__all__ = [
    "COMMANDS",
    "Action",
    "Command",
    "CommandInfo",
    "Conversation",
    "ConversationParams",
    "Reply",
    "ReplyKind",
    "Source",
    "State",
    "Suggestion",
    "action_key",
    "parse_command",
]
