"""Splitting one note into sections: which lines are headings, what each section holds."""

from __future__ import annotations

from index import split_markdown
from index.markup import slugify, to_plain_text
from index.navigation import mark_navigation


def titles(markdown: str) -> list[str]:
    return [s.title for s in split_markdown(markdown, "n.md")]


def test_atx_setext_and_html_headings_all_start_sections() -> None:
    note = (
        "# One\na\n\nTwo\n===\nb\n\nThree\n-----\nc\n"
        "<h2>Four</h2>\nd\n<H3 class='x'>Five &amp; six</H3>\ne\n"
    )
    assert titles(note) == ["One", "Two", "Three", "Four", "Five & six"]


def test_sections_are_flat_and_keep_their_trail() -> None:
    note = "# Docker\nintro\n## Images\nimg\n### Layers\nlay\n## Volumes\nvol\n"
    sections = split_markdown(note, "d.md")
    assert [(s.title, s.trail, s.level) for s in sections] == [
        ("Docker", (), 1),
        ("Images", ("Docker",), 2),
        ("Layers", ("Docker", "Images"), 3),
        ("Volumes", ("Docker",), 2),
    ]
    assert sections[1].text == "img"  # a parent does not swallow its children


def test_nothing_inside_code_fences_or_comments_is_a_heading() -> None:
    note = "# Real\n```bash\n# not a heading\n```\n~~~\n## nor this\n~~~\n<!--\n# hidden\n-->\nafter\n"
    sections = split_markdown(note, "n.md")
    assert [s.title for s in sections] == ["Real"]
    assert "# not a heading" in sections[0].markdown
    assert "not a heading" in sections[0].text  # code words are kept for matching


def test_setext_needs_a_one_line_paragraph_so_rules_stay_rules() -> None:
    note = "# Title\nfirst line\nsecond line\n---\nmore\n\n- item\n---\n"
    assert titles(note) == ["Title"]


def test_hash_without_space_is_not_a_heading() -> None:
    assert titles("# Real\n#comment in a shell snippet\n") == ["Real"]


def test_text_before_the_first_heading_is_titled_after_the_file() -> None:
    sections = split_markdown("Some intro.\n\n# Next\nbody\n", "notes/getting_started.md")
    assert sections[0].title == "getting started"
    assert sections[0].level == 0
    assert sections[0].id == "notes/getting_started.md#getting-started"


def test_ids_are_slugs_unique_within_the_file_and_lines_are_one_based() -> None:
    note = "intro\n# What is X?\na\n# What is X?\nb\n"
    sections = split_markdown(note, "dir/x.md")
    assert [s.id for s in sections] == ["dir/x.md#x", "dir/x.md#what-is-x", "dir/x.md#what-is-x-1"]
    assert [s.line for s in sections] == [1, 2, 4]


def test_plain_text_drops_markup_but_keeps_words() -> None:
    markdown = (
        "**Bold** and _italic_ with `code`, an ![diagram of layers](img/l.png) and a "
        "[link text](https://example.com/x) &amp; <b>tags</b> <li>item</li> `docker run <image>`"
    )
    assert to_plain_text(markdown) == (
        "Bold and italic with code, an diagram of layers and a link text & tags item docker run <image>"
    )


def test_headings_are_displayed_without_markup() -> None:
    assert titles("## **Docker** `run` [flags](x.md) ##\nbody\n") == ["Docker run flags"]


def test_unicode_is_normalised_in_plain_text() -> None:
    (section,) = split_markdown("# Ｆｕｌｌ width\nｄｏｃｋｅｒ\u00a0run\n", "u.md")
    assert section.title == "Full width"
    assert section.text == "docker run"


def test_slugs_follow_github_anchors() -> None:
    assert slugify("What is Docker's engine & architecture?") == "what-is-dockers-engine-architecture"
    assert slugify("???") == "section"


SEED_SHAPED = """**Table of Content**
\t<li>What is docker and it's advantage?</li>
\t<li> Difference between container and virtual machine</li>
\t<li> What is kernel?</li>

<h2>What is Docker</h2>
Docker is a platform for running applications in **containers**.
<h3>Advantage of docker</h3>

-   **Portable**: build once, run anywhere.
<h2>Container vs Virtual Machine</h2>
A container shares the host kernel.

![ImageName](images/container_vs_vm.jpg)
"""


def test_seed_shaped_note_with_html_headings_and_a_table_of_contents() -> None:
    sections = mark_navigation(split_markdown(SEED_SHAPED, "seed.txt"))
    assert [(s.title, s.trail, s.navigation) for s in sections] == [
        ("seed", (), True),
        ("What is Docker", (), False),
        ("Advantage of docker", ("What is Docker",), False),
        ("Container vs Virtual Machine", (), False),
    ]
    assert [s.line for s in sections] == [1, 6, 8, 11]
    assert "ImageName" in sections[3].text and "jpg" not in sections[3].text


def test_a_list_that_repeats_other_headings_is_navigation_even_without_a_toc_title() -> None:
    note = (
        "# Guide\n- Install\n- Configure the daemon\n- Run a container\n"
        "# Install\na\n# Configure the daemon\nb\n# Run a container\nc\n"
    )
    flags = {s.title: s.navigation for s in mark_navigation(split_markdown(note, "g.md"))}
    assert flags == {"Guide": True, "Install": False, "Configure the daemon": False, "Run a container": False}


def test_an_ordinary_list_of_facts_is_not_navigation() -> None:
    note = "# Advantages\n- Portable across clouds\n- Light on memory\n- Quick to start\n# Other\nx\n"
    assert not any(s.navigation for s in mark_navigation(split_markdown(note, "a.md")))


def test_a_paragraph_with_a_short_list_of_links_under_it_is_not_navigation() -> None:
    # Three lines, two of them bare links: by lines a link list, but the paragraph is what the section says.
    intro = (
        "You need no particular skills for this guide beyond some comfort with a terminal and a text editor. "
        "Experience building web applications helps but is not required. Later chapters deploy to the cloud, "
        "so if you want to follow along, open an account with each of these providers before you start:"
    )
    note = (
        f"# Before you start\n{intro}\n\n- [Cloud one](https://one.example)\n- [Registry two](https://two.example)\n"
        "# Guide\n- [Install](#install)\n- [Run](#run)\n- [Stop](#stop)\n"
    )
    flags = {s.title: s.navigation for s in mark_navigation(split_markdown(note, "p.md"))}
    assert flags == {"Before you start": False, "Guide": True}
