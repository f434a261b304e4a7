"""The conversation core, as transcripts of whole conversations over two tiny notes files.

The notes are small enough to work every answer out by eye: each question's words occur in one section only,
unless a test is about two sections that tie. Passages are limited to 200 characters so that the compost
section (four short paragraphs) needs "more", and topics pages hold four entries so that there are three.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot import Action, Conversation, ConversationParams, Reply, ReplyKind, Source, State, Suggestion, action_key
from index import Record, Retriever

KITCHEN = """\
# Kitchen

Notes on cooking at home.

## Bread

Bread is baked from flour, water, yeast and salt. Knead the dough for ten minutes.

Then let the dough rise in a warm place for an hour before baking.

### Sourdough

Sourdough is bread leavened with a starter of wild yeast and lactic bacteria instead of baker's yeast.

A sourdough loaf rises slowly, usually overnight in a cool kitchen.

## Green tea

Tea leaves are steeped in hot water for three minutes.

## Black tea

Tea leaves are steeped in hot water for three minutes.

## Tips

Keep knives sharp.
"""

GARDEN = """\
# Garden

## Tomatoes

Tomatoes need full sun, warmth and deep watering twice a week.

## Roses

Roses are pruned in early spring, just above an outward-facing bud.

## Compost

Compost turns kitchen scraps and garden waste into humus.

A heap needs greens, such as peelings and grass cuttings, for nitrogen.

It also needs browns, such as dry leaves and cardboard, for carbon.

Turn the heap every few weeks so that air reaches the middle; it is ready when dark and crumbly.

## Tips

Water in the morning.
"""

COMPOST = GARDEN.split("## Compost\n\n")[1].split("\n\n## Tips")[0].split("\n\n")
SOURDOUGH_BODY = (
    "Sourdough is bread leavened with a starter of wild yeast and lactic bacteria instead of baker's yeast.\n\n"
    "A sourdough loaf rises slowly, usually overnight in a cool kitchen."
)
PARAMS = ConversationParams(passage_chars=200, topics_per_page=4)
MORE = Action("more", "More", "/more")
TOPICS = Action("t:1", "Topics", "/topics")


def write_notes(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kitchen.md").write_text(KITCHEN, encoding="utf-8")
    (folder / "garden.md").write_text(GARDEN, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def conversation(tmp_path_factory: pytest.TempPathFactory) -> Conversation:
    notes = write_notes(tmp_path_factory.mktemp("notes"))
    return Conversation(Retriever.from_directory(notes), params=PARAMS)


def talk(conversation: Conversation, *messages: str, state: State | None = None) -> tuple[list[Reply], State]:
    """Send messages one after another, as a chat would; return every reply and the final state."""
    state = state or State()
    replies = []
    for message in messages:
        reply, state = conversation.respond(message, state)
        replies.append(reply)
    return replies, state


def suggestion(number: int, section_id: str, title: str, trail: tuple[str, ...], line: int) -> Suggestion:
    path = section_id.split("#")[0]
    return Suggestion(number, action_key(section_id), section_id, title, trail, Source(path, line))


def unscored(reply: Reply) -> Reply:
    """The reply without its score, which depends on the weighting rather than on the conversation."""
    assert reply.score is None or reply.score > 0
    return dataclasses.replace(reply, score=None)


def sourdough(**changes: object) -> Reply:
    reply = Reply(
        ReplyKind.ANSWER,
        SOURDOUGH_BODY,
        title="Sourdough",
        trail=("Kitchen", "Bread"),
        source=Source("kitchen.md", 11),
        section_id="kitchen.md#sourdough",
    )
    return dataclasses.replace(reply, **changes)  # type: ignore[arg-type]


def compost(kind: ReplyKind, body: str, **changes: object) -> Reply:
    reply = Reply(
        kind, body, title="Compost", trail=("Garden",), source=Source("garden.md", 11), section_id="garden.md#compost"
    )
    return dataclasses.replace(reply, **changes)  # type: ignore[arg-type]


TOMATOES = suggestion(1, "garden.md#tomatoes", "Tomatoes", ("Garden",), 3)
GREEN_TEA = suggestion(1, "kitchen.md#green-tea", "Green tea", ("Kitchen",), 17)
BLACK_TEA = suggestion(2, "kitchen.md#black-tea", "Black tea", ("Kitchen",), 21)
GARDEN_TIPS = suggestion(1, "garden.md#tips", "Tips", ("Garden",), 21)
KITCHEN_TIPS = suggestion(2, "kitchen.md#tips", "Tips", ("Kitchen",), 25)


# Questions, follow-ups and "more" -------------------------------------------------------------------------


def test_a_question_then_a_follow_up_that_leans_on_it(conversation: Conversation) -> None:
    # "how does it rise?" alone ties Bread ("rise") with Sourdough ("rises"); "it" is the sourdough.
    (first, follow_up), state = talk(conversation, "what is sourdough?", "how does it rise?")
    assert unscored(first) == sourdough()
    assert unscored(follow_up) == sourdough(context="Sourdough")
    assert state == State("kitchen.md#sourdough", (0, 1), "Sourdough", ())


def test_a_pronoun_leans_on_the_last_topic_unless_the_message_names_its_own(conversation: Conversation) -> None:
    # Alone, both questions are about Bread (the only section with "salt" and "baked").
    (_, baked, named), _ = talk(conversation, "what is sourdough?", "is it baked with salt?", "bread and its salt?")
    assert (baked.kind, baked.title, baked.context) == (ReplyKind.ANSWER, "Sourdough", "Sourdough")
    assert (named.kind, named.title, named.context) == (ReplyKind.ANSWER, "Bread", None)


def test_a_follow_up_that_names_a_new_subject_is_answered_on_its_own(conversation: Conversation) -> None:
    (_, roses), _ = talk(conversation, "what is sourdough?", "and roses?")
    assert (roses.kind, roses.title, roses.context) == (ReplyKind.ANSWER, "Roses", None)


def test_a_short_question_about_something_the_notes_never_mention_is_not_a_follow_up(
    conversation: Conversation,
) -> None:
    # With "Sourdough" added as context it would pass the decline threshold; on its own it is mostly a word
    # no note uses, so it is a new subject the notes do not cover.
    (_, unknown), _ = talk(conversation, "what is sourdough?", "zyxwv kitchen scraps?")
    assert (unknown.kind, unknown.title, unknown.context) == (ReplyKind.NOT_COVERED, None, None)


def test_a_follow_up_without_words_of_its_own_continues_the_topic(conversation: Conversation) -> None:
    (_, why), _ = talk(conversation, "what is sourdough?", "why?")
    assert unscored(why) == sourdough(context="Sourdough")
    assert talk(conversation, "why?")[0][0].kind is ReplyKind.EMPTY  # with nothing to lean on


def test_a_long_section_shows_its_most_relevant_passage_and_the_rest_on_more(conversation: Conversation) -> None:
    replies, state = talk(conversation, "when is the heap ready?", "more", "tell me more", "/more")
    ready, rest, end, again = replies
    # The last paragraph answers; the run of passages that holds it starts one paragraph earlier (ties go to
    # the earlier run), and "more" wraps round to the paragraphs before it, then says it is done.
    assert unscored(ready) == compost(ReplyKind.ANSWER, "\n\n".join(COMPOST[2:]), actions=(MORE,))
    assert rest == compost(ReplyKind.MORE, "\n\n".join(COMPOST[:2]))
    next_tips = "That is all the notes say under **Compost**. Next in the notes:\n\n1. **Tips** · Garden"
    assert end == compost(ReplyKind.MORE, next_tips, suggestions=(GARDEN_TIPS,))
    assert again == end
    assert state == State("garden.md#compost", (0, 1, 2, 3), "Compost", ("garden.md#tips",))
    picked, _ = conversation.respond("1", state)
    assert (picked.kind, picked.title, picked.body) == (ReplyKind.ANSWER, "Tips", "Water in the morning.")


def test_a_question_that_matches_no_passage_in_particular_starts_at_the_top(conversation: Conversation) -> None:
    # The first three paragraphs fill 199 of the 200 characters.
    (reply,), state = talk(conversation, "compost")
    assert unscored(reply) == compost(ReplyKind.ANSWER, "\n\n".join(COMPOST[:3]), actions=(MORE,))
    assert state.shown == (0, 1, 2)
    (more,), _ = talk(conversation, "/more", state=state)
    assert more == compost(ReplyKind.MORE, COMPOST[3])


def test_a_question_that_starts_with_help_is_a_question(conversation: Conversation) -> None:
    (reply,), state = talk(conversation, "help me bake bread")
    assert (reply.kind, reply.title, reply.source) == (ReplyKind.ANSWER, "Bread", Source("kitchen.md", 5))
    assert state.section_id == "kitchen.md#bread"


def test_typing_a_topic_title_opens_it(conversation: Conversation) -> None:
    (reply,), _ = talk(conversation, "  sourDOUGH ")
    assert reply == sourdough()  # picked, not searched: no score


# Not sure, not covered ------------------------------------------------------------------------------------


def test_a_tie_is_not_answered_and_offers_the_choices(conversation: Conversation) -> None:
    (reply,), state = talk(conversation, "how are tea leaves steeped?")
    assert reply.kind is ReplyKind.UNSURE
    assert reply.suggestions[:2] == (GREEN_TEA, BLACK_TEA)
    assert reply.body.startswith(
        "I'm not sure which part of the notes you mean. Did you mean:\n\n"
        "1. **Green tea** · Kitchen\n2. **Black tea** · Kitchen\n"
    )
    assert reply.body.endswith("\n\nPick a number, or ask again in other words.")
    assert (reply.title, reply.section_id, reply.actions) == (None, None, (TOPICS,))
    assert state.choices[:2] == ("kitchen.md#green-tea", "kitchen.md#black-tea")
    assert (state.section_id, state.context) == (None, "how are tea leaves steeped?")
    chosen, state = conversation.respond("2", state)
    assert (chosen.kind, chosen.title, chosen.body) == (
        ReplyKind.ANSWER, "Black tea", "Tea leaves are steeped in hot water for three minutes."
    )
    assert state.section_id == "kitchen.md#black-tea"


def test_a_weak_match_says_so_and_offers_the_nearest(conversation: Conversation) -> None:
    # Every word is in the notes, but each in a different section: no section holds enough of them.
    (reply,), state = talk(conversation, "tomatoes roses compost knives")
    offered = {s.section_id: s for s in reply.suggestions}
    assert set(offered) == {"garden.md#tomatoes", "garden.md#roses", "garden.md#compost"}
    assert dataclasses.replace(offered["garden.md#tomatoes"], number=1) == TOMATOES
    assert reply == Reply(
        ReplyKind.UNSURE,
        "I couldn't find a good match for that in the notes. The nearest sections are:\n\n"
        + "\n".join(f"{s.number}. **{s.title}** · Garden" for s in reply.suggestions)
        + "\n\nPick a number, ask again in other words, or browse the topics with /topics.",
        suggestions=reply.suggestions,
        actions=(TOPICS,),
    )
    assert [s.number for s in reply.suggestions] == [1, 2, 3]
    assert state == State(choices=tuple(s.section_id for s in reply.suggestions))


def test_a_declined_question_names_the_words_the_notes_never_use(conversation: Conversation) -> None:
    """The words to change: at most three named, the rest counted; none named when the notes know them all."""
    (one, four, weak, tied), _ = talk(conversation, "how do i knit a scarf",
                                      "quasar zygote nebula pulsar", "tomatoes roses compost knives", "Tips")
    assert one.body == ("I couldn't find that in the notes: they never mention *knit* or *scarf*. "
                        "Type /topics to see what they cover.")
    assert four.body.startswith("I couldn't find that in the notes: they never mention *quasar*, *zygote*, "
                                "*nebula* or 1 other word. ")
    assert weak.kind is ReplyKind.UNSURE and "never mention" not in weak.body  # every word is in the notes
    assert tied.kind is ReplyKind.UNSURE and "never mention" not in tied.body
    (blob,), _ = talk(conversation, "x" + "yz" * 5_000)  # a pasted blob is named, not echoed
    assert blob.body.startswith(f"I couldn't find that in the notes: they never mention *x{'yz' * 14}…*. ")
    assert len(blob.body) < 200
    (partly,), _ = talk(conversation, "tomatoes knitting compost roses")
    assert partly.kind is ReplyKind.UNSURE
    assert partly.body.startswith(
        "I couldn't find a good match for that in the notes (they never mention *knitting*). The nearest"
    )


def test_an_off_topic_question_is_declined(conversation: Conversation) -> None:
    (reply,), _ = talk(conversation, "best pizza in naples")
    assert reply.kind in (ReplyKind.NOT_COVERED, ReplyKind.UNSURE)
    assert not reply.answered and reply.actions == (TOPICS,)


def test_an_unknown_subject_is_declined_with_the_topic_list(conversation: Conversation) -> None:
    replies, state = talk(conversation, "what is sourdough?", "zygote quasar")
    assert replies[1] == Reply(
        ReplyKind.NOT_COVERED,
        "I couldn't find that in the notes: they never mention *zygote* or *quasar*. Type /topics to see what "
        "they cover.",
        actions=(TOPICS,),
    )
    assert state == State()  # nothing to continue and nothing to lean on
    topics, _ = conversation.choose(replies[1].actions[0].id, state)
    assert topics.kind is ReplyKind.TOPICS


NO_WORDS = Reply(
    ReplyKind.EMPTY,
    "That has no words I can look up. Ask about a topic in a few words, or type /topics to browse them.",
    actions=(TOPICS,),
)
THANKS = Reply(ReplyKind.EMPTY, "Glad to help. Ask another question whenever you like.", actions=(TOPICS,))


def test_a_message_without_words_to_look_up(conversation: Conversation) -> None:
    for text in ("???", "", "   ", "🙂"):
        (reply,), state = talk(conversation, text)
        assert reply == NO_WORDS
        assert state == State()


def test_no_words_right_after_an_answer_do_not_repeat_it(conversation: Conversation) -> None:
    (answer, huh), state = talk(conversation, "what is sourdough?", "???")
    assert answer.title == "Sourdough"
    assert huh == NO_WORDS
    assert unscored(conversation.respond("why?", state)[0]) == sourdough(context="Sourdough")  # still there


def test_a_greeting_is_greeted_with_an_example_from_the_notes(conversation: Conversation) -> None:
    for text in ("hi", "Hello!", "hey there", "good morning"):
        (reply,), state = talk(conversation, text)
        assert reply == Reply(
            ReplyKind.EMPTY,
            "Hi! Ask me about the notes in plain words, for example *Tomatoes*, or type /topics to browse them.",
            actions=(TOPICS,),
        )
        assert state == State()


def test_thanks_after_an_answer_is_thanked_and_the_answer_not_shown_again(conversation: Conversation) -> None:
    for text in ("thanks!", "Thank you so much", "ok", "got it, thanks"):
        (answer, thanks), state = talk(conversation, "when is the heap ready?", text)
        assert answer.kind is ReplyKind.ANSWER
        assert thanks == THANKS
        more, _ = conversation.respond("more", state)  # the conversation goes on where it was
        assert (more.kind, more.title) == (ReplyKind.MORE, "Compost")


def test_asking_for_help_in_words_is_the_help_command(conversation: Conversation) -> None:
    _, state = talk(conversation, "what is sourdough?")
    helped = conversation.respond("/help", state)
    for text in ("help", "Help!", "what can you do?", "how does this bot work?"):
        assert conversation.respond(text, state) == helped


def test_small_talk_inside_a_question_is_still_a_question(conversation: Conversation) -> None:
    (reply,), _ = talk(conversation, "hi, what is sourdough? thanks")
    assert unscored(reply) == sourdough()


def test_two_topics_with_the_same_title(conversation: Conversation) -> None:
    (reply,), state = talk(conversation, "Tips")
    assert reply == Reply(
        ReplyKind.UNSURE,
        "Several topics have that title. Which one?\n\n1. **Tips** · Garden\n2. **Tips** · Kitchen",
        suggestions=(GARDEN_TIPS, KITCHEN_TIPS),
    )
    chosen, _ = conversation.respond("/2", state)
    assert (chosen.title, chosen.body) == ("Tips", "Keep knives sharp.")


# Buttons -------------------------------------------------------------------------------------------------


def test_a_pressed_suggestion_answers_it_even_from_an_old_message(conversation: Conversation) -> None:
    (tie,), _ = talk(conversation, "how are tea leaves steeped?")
    (_, later), state = talk(conversation, "what is sourdough?", "compost")  # the chat moved on
    chosen, state = conversation.choose(tie.suggestions[1].action, state)
    assert (chosen.kind, chosen.title) == (ReplyKind.ANSWER, "Black tea")
    assert state.section_id == "kitchen.md#black-tea"
    more, _ = conversation.choose(later.actions[0].id, state)  # "more" continues the *current* answer
    assert (more.kind, more.title) == (ReplyKind.MORE, "Black tea")


def test_action_ids_fit_telegram_callback_data(conversation: Conversation) -> None:
    ids = [action_key(s.id) for s in conversation.retriever.sections]
    ids += ["more", *(f"t:{n}" for n in range(1, 100))]
    assert all(len(i.encode()) <= 64 for i in ids)
    long_id = "a/very/deep/folder/" * 10 + "notes.md#" + "heading-" * 20
    assert len(action_key(long_id).encode()) == 18


def test_an_invalid_or_stale_action_leaves_the_state_alone(conversation: Conversation) -> None:
    _, state = talk(conversation, "what is sourdough?")
    for action in ("s:0123456789abcdef", "bogus", "", "t:99", "t:x"):
        reply, after = conversation.choose(action, state)
        assert reply.kind is ReplyKind.ERROR, action
        assert after == state


# Commands ------------------------------------------------------------------------------------------------


def test_help(conversation: Conversation) -> None:
    _, state = talk(conversation, "what is sourdough?")
    for text in ("/help", "/HELP", "/help@NotesBot", "/start"):
        reply, after = conversation.respond(text, state)
        assert reply.kind is ReplyKind.HELP
        assert reply.body.startswith("Ask a question about the notes in plain words, for example *Tomatoes*. ")
        assert "- `/topics [page]`: browse the topics, grouped by file\n" in reply.body
        assert after == state


def test_topics_are_grouped_by_file_nested_by_heading_and_paged(conversation: Conversation) -> None:
    first, state = conversation.respond("/topics", State())
    assert first.body == (
        "**Topics**, page 1 of 3: `garden.md`\n\n"
        "- **1** Tomatoes\n- **2** Roses\n- **3** Compost\n- **4** Tips\n\n"
        "Pick a number to read a topic."
    )
    assert [s.title for s in first.suggestions] == ["Tomatoes", "Roses", "Compost", "Tips"]
    assert first.actions == (Action("t:2", "Next page", "/topics 2"),)
    second, state = conversation.choose(first.actions[0].id, state)
    assert second.body == (
        "**Topics**, page 2 of 3: `kitchen.md`\n\n"
        "- **1** Kitchen\n  - **2** Bread\n    - **3** Sourdough\n  - **4** Green tea\n\n"
        "Pick a number to read a topic."
    )
    assert second.actions == (
        Action("t:1", "Previous page", "/topics 1"),
        Action("t:3", "Next page", "/topics 3"),
    )
    third, state = conversation.respond("/topics 3", state)
    assert "- **1** Black tea\n- **2** Tips\n" in third.body
    assert third.actions == (Action("t:2", "Previous page", "/topics 2"),)
    assert state.choices == ("kitchen.md#black-tea", "kitchen.md#tips")
    chosen, _ = conversation.respond("1", state)
    assert chosen.title == "Black tea"
    wrong, after = conversation.respond("/topics 4", state)
    assert (wrong.kind, wrong.body) == (ReplyKind.ERROR, "There are pages 1 to 3 of topics; 4 is not one of them.")
    assert after == state


def test_topics_list_only_sections_that_can_answer(conversation: Conversation) -> None:
    titles = conversation.topic_titles()
    assert "Garden" not in titles  # a heading with no text of its own
    assert titles == ("Tomatoes", "Roses", "Compost", "Tips", "Kitchen", "Bread", "Sourdough", "Green tea",
                      "Black tea")


def test_source_of_the_last_answer(conversation: Conversation) -> None:
    (nothing_yet, _, source), state = talk(conversation, "/source", "what is sourdough?", "/source")
    assert nothing_yet == Reply(ReplyKind.ERROR, "There is no answer to give the source of. Ask a question first.")
    body = "**Sourdough** (under Kitchen › Bread) is at `kitchen.md:11` in the notes."
    assert source == sourdough(kind=ReplyKind.SOURCE, body=body)
    assert state.section_id == "kitchen.md#sourdough"


def test_reset_forgets_everything(conversation: Conversation) -> None:
    (_, _, reset, more, why), state = talk(conversation, "how are tea leaves steeped?", "what is sourdough?",
                                           "/reset", "/more", "why?")
    assert reset == Reply(ReplyKind.RESET, "Starting afresh: I've forgotten this conversation.")
    assert more == Reply(ReplyKind.ERROR, "There is no answer to continue yet. Ask a question first.")
    assert why.kind is ReplyKind.EMPTY  # nothing to lean on any more
    assert state == State()


def test_numbers_pick_from_the_last_list(conversation: Conversation) -> None:
    (reply,), _ = talk(conversation, "/1")
    assert reply == Reply(ReplyKind.ERROR, "There is no numbered list to pick 1 from. Ask a question, or type /topics.")
    (_, reply), state = talk(conversation, "Tips", "/3")
    assert reply == Reply(ReplyKind.ERROR, "Pick a number from 1 to 2; 3 is not on the list.")
    assert state.choices == ("garden.md#tips", "kitchen.md#tips")
    (reply,), _ = talk(conversation, "2", state=state)
    assert (reply.kind, reply.section_id) == (ReplyKind.ANSWER, "kitchen.md#tips")


def test_a_bare_number_with_no_list_on_offer_is_not_searched_for(conversation: Conversation) -> None:
    """A bare "2" after an answer with no choices was asked as a question, and the notes' best match for a
    digit is whatever section mentions it: a confident answer to nothing."""
    (answer, two), state = talk(conversation, "what is sourdough?", "2")
    assert answer.kind is ReplyKind.ANSWER and not answer.suggestions
    assert two == Reply(ReplyKind.ERROR, "There is no numbered list to pick 2 from. Ask a question, or type /topics.")
    assert state.section_id == answer.section_id  # "more" still continues the answer
    (_, three), _ = talk(conversation, "Tips", "3")
    assert three == Reply(ReplyKind.ERROR, "Pick a number from 1 to 2; 3 is not on the list.")
    (seven_digits,), _ = talk(conversation, "1234567")  # too long to pick anything: a question
    assert seven_digits.kind is ReplyKind.NOT_COVERED


def test_unknown_command(conversation: Conversation) -> None:
    reply, state = conversation.respond("/frobnicate now", State(context="Bread"))
    assert reply == Reply(
        ReplyKind.ERROR,
        "I don't know the command /frobnicate. The commands are /help, /topics, /more, /source, /reset.",
    )
    assert state == State(context="Bread")


# State ---------------------------------------------------------------------------------------------------


def test_the_state_survives_json_between_turns(conversation: Conversation) -> None:
    state = State()
    replies = []
    for message in ("when is the heap ready?", "more", "how are tea leaves steeped?", "1", "/source"):
        reply, state = conversation.respond(message, State.from_json(state.to_json()))
        replies.append(reply)
    assert [r.kind for r in replies] == [
        ReplyKind.ANSWER, ReplyKind.MORE, ReplyKind.UNSURE, ReplyKind.ANSWER, ReplyKind.SOURCE
    ]
    assert replies[-1].title == "Green tea"
    assert len(state.to_json()) < 300


def test_a_state_from_older_notes_is_handled(conversation: Conversation) -> None:
    gone = State(section_id="removed.md#old", shown=(0,), context="Old", choices=("removed.md#x",))
    for text in ("/more", "/source", "1"):
        reply, _ = conversation.respond(text, gone)
        assert reply.kind is ReplyKind.ERROR, text
        assert "no longer available" in reply.body


def test_conversation_from_records_and_doctest_example() -> None:
    notes = Retriever.from_records([Record("n", "Notes", "# Kernel\nThe kernel manages memory.")])
    reply, state = Conversation(notes).respond("what does the kernel do?", State())
    assert (reply.kind, reply.title, str(reply.source), reply.body) == (
        ReplyKind.ANSWER, "Kernel", "n:1", "The kernel manages memory."
    )
    assert state == State("n#kernel", (0,), "Kernel", ())


def test_bad_arguments_are_rejected_with_exact_messages(conversation: Conversation) -> None:
    with pytest.raises(TypeError, match="text must be a str, got bytes"):
        conversation.respond(b"hello", State())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="action must be a str, got int"):
        conversation.choose(3, State())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="passage_chars must be an integer of at least 100, got 50"):
        ConversationParams(passage_chars=50)
    with pytest.raises(ValueError, match="topics_per_page must be an integer of at least 1, got True"):
        ConversationParams(topics_per_page=True)


def test_choices_that_would_read_the_same_name_their_files(tmp_path: Path) -> None:
    for name in ("one.md", "two.md"):
        (tmp_path / name).write_text("# Setup\n\nInstall the tools first.\n", encoding="utf-8")
    (reply,), _ = talk(Conversation(Retriever.from_directory(tmp_path)), "setup")
    assert reply.body == (
        "Several topics have that title. Which one?\n\n1. **Setup** (`one.md`)\n2. **Setup** (`two.md`)"
    )
