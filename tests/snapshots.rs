//! Whole-screen snapshots through ratatui's TestBackend: the state is built by feeding real
//! messages to update, then drawn by the real view.

mod common;

use common::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ghl_tui::api::{ApiError, Appointment, Contact, Note, RateBudget, Task};
use ghl_tui::app::{Effect, Msg, State, init};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// A state at `w`x`h` showing `contacts`, as the app would after its first page.
fn screen(contacts: Vec<Contact>, w: u16, h: u16) -> State {
    let mut s = State::new(
        "demo · Northwind Realty (demo)",
        "Dm0LocHq7Zp2VwX9sK4e",
        common::fixed_now(),
    );
    update(&mut s, Msg::Resize(w, h));
    let total = contacts.len() as u64;
    common::first_page(&mut s, contacts, total);
    let defs = common::demo_seed()
        .custom_fields
        .into_iter()
        .map(|d| serde_json::from_value(d).expect("definition"))
        .collect();
    update(&mut s, Msg::Fields(Ok(defs)));
    update(
        &mut s,
        Msg::Budget(RateBudget {
            remaining: Some(97),
            max: 100,
            daily_remaining: Some(199_990),
            daily_max: Some(200_000),
        }),
    );
    s
}

fn draw(s: &State) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(s.size.0, s.size.1)).expect("terminal");
    t.draw(|f| {
        ghl_tui::ui::view(s, f);
    })
    .expect("draw");
    t
}

/// The moves paused: the right side catches up with the selection, as the settle timer makes
/// it in the app.
fn settle(s: &mut State) {
    let generation = s.selection_gen;
    update(s, Msg::Settled(generation));
}

/// The selected contact's parts, loaded.
fn with_parts(s: &mut State, tasks: Vec<Task>, notes: Vec<Note>, events: Vec<Appointment>) {
    let id = s.selected_id().expect("selection").to_string();
    let detail = s.selected_contact().expect("contact");
    update(
        s,
        Msg::Contact {
            id: id.clone(),
            result: Ok(detail),
        },
    );
    update(
        s,
        Msg::Tasks {
            id: id.clone(),
            result: Ok(tasks),
        },
    );
    update(
        s,
        Msg::Notes {
            id: id.clone(),
            result: Ok(notes),
        },
    );
    update(
        s,
        Msg::Appointments {
            id,
            result: Ok(events),
        },
    );
}

fn sample_tasks() -> Vec<Task> {
    let task = |id: &str, title: &str, due: &str, done: bool| Task {
        id: Some(id.into()),
        title: Some(title.into()),
        body: Some(format!("{title}: details")),
        due_date: Some(due.into()),
        completed: Some(done),
        ..Default::default()
    };
    vec![
        task(
            "t1",
            "Send comps for 14 Elm St",
            "2026-11-20T15:00:00.000Z",
            false,
        ),
        task(
            "t2",
            "Call back about pre-approval",
            "2026-11-25T09:30:00.000Z",
            false,
        ),
        task(
            "t3",
            "Book the photographer",
            "2026-11-10T10:00:00.000Z",
            true,
        ),
    ]
}

fn sample_notes() -> Vec<Note> {
    vec![
        Note {
            id: Some("n1".into()),
            body: Some("Met at the open house.\nWants 3 bedrooms near the school; budget about 650k.\n\nPre-approved with Pinnacle Lending.".into()),
            date_added: Some("2026-11-18T16:04:00.000Z".into()),
            ..Default::default()
        },
        Note { id: Some("n2".into()), body: Some("Left a voicemail.".into()), date_added: Some("2026-11-12T09:00:00.000Z".into()), ..Default::default() },
    ]
}

fn sample_events() -> Vec<Appointment> {
    vec![
        Appointment {
            id: Some("a1".into()),
            title: Some("Showing: 22 Maple Ave".into()),
            start_time: Some("2026-11-24 10:00:00".into()),
            end_time: Some("2026-11-24 10:45:00".into()),
            appointment_status: Some("confirmed".into()),
            address: Some("22 Maple Ave, Springfield".into()),
            ..Default::default()
        },
        Appointment {
            id: Some("a2".into()),
            title: Some("Buyer consultation".into()),
            start_time: Some("2026-11-02T14:00:00.000Z".into()),
            end_time: Some("2026-11-02T15:00:00.000Z".into()),
            appointment_status: Some("showed".into()),
            ..Default::default()
        },
    ]
}

#[test]
fn main_screen_80x24() {
    let mut s = screen(common::demo_contacts(40), 80, 24);
    with_parts(&mut s, sample_tasks(), sample_notes(), sample_events());
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn wide_screen_shows_more_columns() {
    let mut s = screen(common::demo_contacts(60), 200, 40);
    update(&mut s, key('j'));
    settle(&mut s);
    with_parts(&mut s, sample_tasks(), sample_notes(), sample_events());
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn tasks_notes_and_appointments_panes() {
    let mut s = screen(common::demo_contacts(40), 100, 24);
    // People by name where the location's users are known; an unknown id still shows.
    s.users.insert("u1".into(), "Avery Thompson".into());
    let mut tasks = sample_tasks();
    tasks[0].assigned_to = Some("u1".into());
    tasks[1].assigned_to = Some("u-unknown".into());
    let mut notes = sample_notes();
    notes[0].user_id = Some("u1".into());
    let mut events = sample_events();
    events[0].assigned_user_id = Some("u1".into());
    with_parts(&mut s, tasks, notes, events);
    update(&mut s, key('3'));
    insta::assert_snapshot!("tasks", draw(&s).backend());
    update(&mut s, key('4'));
    insta::assert_snapshot!("notes", draw(&s).backend());
    update(&mut s, key('5'));
    insta::assert_snapshot!("appointments", draw(&s).backend());
}

#[test]
fn help_overlay() {
    let mut s = screen(common::demo_contacts(40), 80, 40);
    update(&mut s, key('?'));
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn error_states() {
    let mut s = screen(common::demo_contacts(40), 80, 24);
    update(&mut s, key('3'));
    let Some(Effect::FetchPage {
        generation,
        request,
    }) = update(&mut s, key('r'))
        .into_iter()
        .find(|e| matches!(e, Effect::FetchPage { .. }))
    else {
        panic!("refresh fetches")
    };
    update(
        &mut s,
        Msg::Page {
            generation,
            request,
            result: Err(ApiError::Network {
                message: "connection refused".into(),
            }),
        },
    );
    let id = s.selected_id().expect("selection").to_string();
    update(
        &mut s,
        Msg::Tasks {
            id,
            result: Err(ApiError::MissingScope {
                message: "The token is not authorized for this scope.".into(),
            }),
        },
    );
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn contacts_fail_on_first_load() {
    let mut s = State::new("location X", "X", common::fixed_now());
    update(&mut s, Msg::Resize(80, 12));
    let Some(Effect::FetchPage {
        generation,
        request,
    }) = init(&mut s).into_iter().next()
    else {
        panic!("no fetch")
    };
    update(
        &mut s,
        Msg::Page {
            generation,
            request,
            result: Err(ApiError::Unauthorized {
                message: "Invalid JWT".into(),
            }),
        },
    );
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn tiny_terminal() {
    let s = screen(common::demo_contacts(10), 20, 5);
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn no_size_panics() {
    let mut s = screen(common::demo_contacts(30), 80, 24);
    with_parts(&mut s, sample_tasks(), sample_notes(), sample_events());
    for pane in ['1', '2', '3', '4', '5', '?'] {
        update(&mut s, key(pane));
        for w in [0u16, 1, 2, 3, 5, 9, 17, 30, 69, 70, 71] {
            for h in [0u16, 1, 2, 3, 4, 5, 7, 12] {
                update(&mut s, Msg::Resize(w, h));
                update(&mut s, key('j'));
                draw(&s);
            }
        }
        if pane == '?' {
            update(&mut s, key('?'));
        }
    }
}

#[test]
fn hostile_names_are_defused() {
    let evil = |id: &str, first: &str, company: &str| Contact {
        id: Some(id.into()),
        first_name: Some(first.into()),
        company_name: Some(company.into()),
        email: Some("x@example.com\x1b[2J".into()),
        tags: vec!["\x1b]0;pwned\x07vip".into()],
        ..Default::default()
    };
    let contacts = vec![
        evil(
            "h1",
            "\x1b]52;c;ZXZpbA==\x07",
            "Clip\x1b]52;c;ZXZpbA==\x1b\\board",
        ),
        evil(
            "h2",
            "\u{202e}Mallory\u{202c} \x07Bell\rCR\0NUL",
            "\u{9b}31mC1 CSI",
        ),
        evil("h3", "佐藤 花子 🏠", "株式会社さくら不動産"),
        evil("h4", "محمد الشمري", "شركة البيت"),
    ];
    let mut s = screen(contacts, 80, 12);
    update(&mut s, key('j'));
    update(&mut s, key('j'));
    settle(&mut s);
    let t = draw(&s);
    for cell in t.backend().buffer().content() {
        let sym = cell.symbol();
        assert!(
            !sym.chars()
                .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "control character {sym:?} reached the screen"
        );
    }
    insta::assert_snapshot!(t.backend());
}

/// Terminals draw Devanagari clusters like "रा" as two one-cell characters while ratatui keeps
/// them as one two-cell grapheme: when the row changes, the second cell must be rewritten too
/// or half a name stays on screen.
#[test]
fn replaced_devanagari_names_leave_no_fragments() {
    let mut contacts = common::people(0..3);
    contacts[1].first_name = Some("राहुल".into());
    contacts[1].last_name = Some("मिश्रा".into());
    let mut s = screen(contacts, 80, 12);
    let mut t = Terminal::new(TestBackend::new(80, 12)).expect("terminal");
    let before = t
        .draw(|f| {
            ghl_tui::ui::view(&s, f);
        })
        .expect("draw")
        .buffer
        .clone();
    let (x, y) = (0..12u16)
        .flat_map(|y| (0..80u16).map(move |x| (x, y)))
        .find(|&p| before[p].symbol() == "रा")
        .expect("the cluster is on screen");
    // Filter the row away: the cells where the name was become blank.
    update(&mut s, key('/'));
    for c in "person 0".chars() {
        update(&mut s, key(c));
    }
    let after = t
        .draw(|f| {
            ghl_tui::ui::view(&s, f);
        })
        .expect("draw")
        .buffer
        .clone();
    let writes: Vec<(u16, u16)> = before
        .diff(&after)
        .into_iter()
        .map(|(x, y, _)| (x, y))
        .collect();
    assert!(
        writes.contains(&(x, y)),
        "the cluster's first cell is rewritten"
    );
    assert!(writes.contains(&(x + 1, y)), "and so is its second cell");
}

#[test]
fn overlays_task_form_note_editor_and_question() {
    let mut s = screen(common::demo_contacts(40), 80, 24);
    with_parts(&mut s, sample_tasks(), sample_notes(), sample_events());
    update(&mut s, key('3'));
    update(&mut s, key('n'));
    for c in "Send the contract".chars() {
        update(&mut s, key(c));
    }
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)),
    );
    insta::assert_snapshot!("task_form", draw(&s).backend());
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    insta::assert_snapshot!("discard_question", draw(&s).backend());
    update(&mut s, key('y'));
    update(&mut s, key('d'));
    insta::assert_snapshot!("delete_question", draw(&s).backend());
}

#[test]
fn location_switcher() {
    let mut s = screen(common::demo_contacts(40), 90, 26);
    s.switchable = true;
    update(&mut s, key('L'));
    let place = |id: &str, name: &str, address: &str| ghl_tui::api::InstalledLocation {
        id: id.into(),
        name: name.into(),
        address: address.into(),
    };
    update(
        &mut s,
        Msg::Locations(Ok(vec![
            place(
                "Dm0LocHq7Zp2VwX9sK4e",
                "Northwind Realty (demo)",
                "12 Harbour St, Leeds",
            ),
            place("DemoBranchLocation01", "Northside Branch", ""),
            place(
                "Loc3",
                "Eastgate \u{1b}[31mLettings",
                "Rue de l'Est 4, Lyon",
            ),
        ])),
    );
    insta::assert_snapshot!("location_switcher", draw(&s).backend());
    for c in "gate".chars() {
        update(&mut s, key(c));
    }
    insta::assert_snapshot!("location_switcher_searched", draw(&s).backend());
}

/// A message too long for the status bar is marked as cut, and `!` shows the last messages
/// whole, wrapped, newest first.
#[test]
fn long_messages_are_read_whole_with_bang() {
    let mut s = screen(common::demo_contacts(40), 80, 24);
    s.say(
        "1 change waiting (the sign-in is read-only: run `ghl-tui login --write`, or give the \
         Private Integration token contacts.write); retrying in 4s — o lists them",
        true,
    );
    let t = draw(&s);
    let status = buffer_row(&t, 22);
    assert!(status.contains("(!)"), "{status}");
    s.say("Now in Northwind Realty (demo)", false);
    s.say(
        "Not saved (Duplicate: This location does not allow duplicated contacts.): New contact Dana",
        true,
    );
    update(&mut s, key('!'));
    let t = draw(&s);
    let all = buffer_text(&t);
    assert!(all.contains("Private Integration token"), "{all}");
    assert!(
        all.contains("contacts.write); retrying in 4s — o lists them"),
        "{all}"
    );
    assert!(all.contains("does not allow duplicated"), "{all}");
    let newest = all.find("duplicated").expect("newest");
    let oldest = all.find("read-only").expect("oldest");
    assert!(newest < oldest, "newest first");
    insta::assert_snapshot!(format!("{}", t.backend()));
}

fn buffer_row(t: &Terminal<TestBackend>, y: u16) -> String {
    let buf = t.backend().buffer();
    (0..buf.area.width)
        .map(|x| buf[(x, y)].symbol().to_string())
        .collect()
}

fn buffer_text(t: &Terminal<TestBackend>) -> String {
    (0..t.backend().buffer().area.height)
        .map(|y| buffer_row(t, y))
        .collect::<Vec<_>>()
        .join("\n")
}

/// With no colour at all (NO_COLOR), nothing is told by colour: the selection is reversed and
/// marked, the focused pane has a thick border and a reversed title, a done task is struck
/// through, and no cell carries a colour.
#[test]
fn without_colour_selection_focus_and_done_stay_visible() {
    use ratatui::style::{Color, Modifier};
    let mut s = screen(common::demo_contacts(40), 100, 30);
    s.look = ghl_tui::look::Look::PLAIN;
    with_parts(&mut s, sample_tasks(), sample_notes(), sample_events());
    update(&mut s, key('3'));
    let t = draw(&s);
    let buf = t.backend().buffer();
    for cell in buf.content() {
        assert_eq!(cell.fg, Color::Reset, "a colour was drawn: {cell:?}");
        assert_eq!(cell.bg, Color::Reset, "a colour was drawn: {cell:?}");
    }
    let rows = buffer_text(&t);
    let row_of = |needle: &str| {
        rows.lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not on screen:\n{rows}")) as u16
    };
    // The selected contact: reversed, and marked in its first column.
    let y = row_of("›Isla Harris");
    assert!(buf[(1, y)].modifier.contains(Modifier::REVERSED));
    // The focused pane (Tasks, on the right) has a thick border; the list a plain one.
    assert_eq!(buf[(0, 0)].symbol(), "┌", "the list is not focused");
    let right = (1..buf.area.width)
        .find(|&x| buf[(x, 0)].symbol() == "┏")
        .expect("a thick corner on the focused pane");
    assert!(right > 10);
    // A done task is struck through.
    let done = sample_tasks()
        .into_iter()
        .find(|t| t.is_done())
        .and_then(|t| t.title)
        .expect("a done task");
    let y = row_of(&done[..8]);
    let x = (0..buf.area.width)
        .find(|&x| buf[(x, y)].symbol() == &done[..1])
        .expect("its title");
    assert!(buf[(x, y)].modifier.contains(Modifier::CROSSED_OUT));
    insta::assert_snapshot!(format!("{}", t.backend()));
}

/// A note typed while the notes could not be loaded still shows, above the error, as saving.
#[test]
fn a_change_shows_over_a_pane_that_failed() {
    let mut s = screen(common::demo_contacts(40), 80, 24);
    let id = s.selected_id().expect("selection").to_string();
    update(&mut s, key('4'));
    update(
        &mut s,
        Msg::Notes {
            id: id.clone(),
            result: Err(ApiError::Server {
                status: 503,
                message: "Service Unavailable".into(),
            }),
        },
    );
    update(&mut s, key('n'));
    for c in "Left a voicemail".chars() {
        update(&mut s, key(c));
    }
    let fx = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
    );
    let op = fx
        .iter()
        .find_map(|e| match e {
            Effect::Write { ops, .. } => ops.first().cloned(),
            _ => None,
        })
        .expect("a write");
    update(
        &mut s,
        Msg::OutboxChanged(vec![ghl_tui::app::state::PendingView {
            id: 1,
            contact_id: Some(id),
            what: op.describe(),
            attempts: 0,
            error: None,
            waits_for: None,
            aside: None,
            op: Some(op),
        }]),
    );
    let t = draw(&s);
    let all = buffer_text(&t);
    let saving = all
        .find("⇡ saving new note")
        .unwrap_or_else(|| panic!("the note, saving:\n{all}"));
    let error = all.find("Couldn't load notes").expect("the error");
    assert!(saving < error, "{all}");
    assert!(all.contains("Left a voicemail"), "{all}");
}

#[test]
fn one_contact_is_one_contact() {
    let s = screen(common::demo_contacts(1), 80, 24);
    let status = buffer_row(&draw(&s), 22);
    assert!(status.contains(" 1 contact "), "{status}");
    let s = screen(common::demo_contacts(2), 80, 24);
    assert!(buffer_row(&draw(&s), 22).contains(" 2 contacts "));
}

/// The edit form's labels fit whole (the column is as wide as the longest, or they wrap).
#[test]
fn contact_form_labels_are_whole() {
    let mut s = screen(common::demo_contacts(40), 80, 24);
    let defs: Vec<ghl_tui::api::CustomFieldDef> = common::demo_seed()
        .custom_fields
        .into_iter()
        .map(|d| serde_json::from_value(d).expect("definition"))
        .collect();
    let names: Vec<String> = defs.iter().filter_map(|d| d.name.clone()).collect();
    update(&mut s, key('e'));
    // Back from the first field to the last, so the custom fields are in view.
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
    );
    let all = buffer_text(&draw(&s));
    let longest = names
        .iter()
        .max_by_key(|n| n.chars().count())
        .expect("a custom field");
    assert!(
        all.lines().any(|l| l.contains(longest.as_str())),
        "{longest} is whole:\n{all}"
    );
    assert!(!all.contains("pre…") && !all.contains("le…"), "{all}");
    insta::assert_snapshot!(format!("{}", draw(&s).backend()));
}

/// The help at 120x40: keys and their words apart, every description whole (wrapped).
#[test]
fn help_at_120x40_is_measured_and_whole() {
    let mut s = screen(common::demo_contacts(40), 120, 40);
    update(&mut s, key('?'));
    let all = buffer_text(&draw(&s));
    assert!(
        !all.contains("n/Esc/EnterNo"),
        "key and text run together:\n{all}"
    );
    assert!(all.contains("n/Esc/Enter  No (the default)"), "{all}");
    assert!(
        all.contains("Search the whole account on the server"),
        "{all}"
    );
    assert!(!all.contains("serve\\n") && !all.contains("sent…"), "{all}");
    insta::assert_snapshot!(format!("{}", draw(&s).backend()));
}

#[test]
fn tag_remove_popup() {
    let mut contacts = common::demo_contacts(40);
    contacts[0].tags = vec!["buyer".into(), "pre-approved".into(), "vip".into()];
    let mut s = screen(contacts, 80, 24);
    update(&mut s, key('T'));
    insta::assert_snapshot!(format!("{}", draw(&s).backend()));
}

#[test]
fn the_16_colour_theme_draws_no_text_in_dark_gray_and_light_no_yellow() {
    use ratatui::style::Color;
    let mut s = screen(common::demo_contacts(40), 120, 30);
    with_parts(&mut s, sample_tasks(), sample_notes(), sample_events());
    update(&mut s, key('/'));
    update(&mut s, key('a'));
    let colours = |s: &State| {
        let t = draw(s);
        let buf = t.backend().buffer().clone();
        buf.content()
            .iter()
            .filter(|c| !c.symbol().trim().is_empty())
            .map(|c| c.fg)
            .collect::<std::collections::HashSet<Color>>()
    };
    // The default (dark) theme does use dark gray, for borders and secondary text.
    assert!(colours(&s).contains(&Color::DarkGray));
    s.look.palette = ghl_tui::look::Palette::SIXTEEN;
    let sixteen = colours(&s);
    assert!(!sixteen.contains(&Color::DarkGray), "{sixteen:?}");
    assert!(
        sixteen
            .iter()
            .all(|c| !matches!(c, Color::Rgb(..) | Color::Indexed(_)))
    );
    s.look.palette = ghl_tui::look::Palette::LIGHT;
    let light = colours(&s);
    assert!(
        !light.contains(&Color::Yellow) && !light.contains(&Color::DarkGray),
        "{light:?}"
    );
    assert!(light.iter().any(|c| matches!(c, Color::Rgb(..))));
}
