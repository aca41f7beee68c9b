//! The state machine on its own: messages in, effects out, no terminal and no network.

mod common;

use common::update;
use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ghl_tui::api::{ApiError, Contact, ContactPage, SearchRequest, Task};
use ghl_tui::app::msg::SETTLE;
use ghl_tui::app::state::{Load, Modal};
use ghl_tui::app::{Effect, Msg, Pane, Parts, State, init};

fn state() -> State {
    let mut s = State::new("test", "Loc1", common::fixed_now());
    s.size = (100, 30);
    s
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(k: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(k, KeyModifiers::NONE))
}

fn fetch(fx: &[Effect]) -> Option<(u64, SearchRequest)> {
    fx.iter().find_map(|e| match e {
        Effect::FetchPage {
            generation,
            request,
        } => Some((*generation, request.clone())),
        _ => None,
    })
}

fn settle(fx: &[Effect]) -> Option<u64> {
    fx.iter().find_map(|e| match e {
        Effect::Settle { generation, after } => {
            assert_eq!(*after, SETTLE);
            Some(*generation)
        }
        _ => None,
    })
}

fn load(fx: &[Effect]) -> Option<(String, Parts)> {
    fx.iter().find_map(|e| match e {
        Effect::LoadContact { id, parts } => Some((id.clone(), *parts)),
        _ => None,
    })
}

fn page(contacts: Vec<Contact>, total: u64) -> Result<ContactPage, ApiError> {
    Ok(ContactPage {
        contacts,
        total: Some(total),
        meta: None,
    })
}

/// A state with the first page of `contacts` loaded (page limit 100).
fn loaded(contacts: Vec<Contact>, total: u64) -> (State, Vec<Effect>) {
    let mut s = state();
    s.page_limit = 100;
    let fx = common::first_page(&mut s, contacts, total);
    (s, fx)
}

#[test]
fn start_up_asks_for_the_first_search_page() {
    let mut s = state();
    let fx = init(&mut s);
    let (_, req) = fetch(&fx).expect("fetch");
    assert!(
        fx.contains(&Effect::FetchFields),
        "custom field names are asked for once"
    );
    assert_eq!(
        req,
        SearchRequest {
            location_id: "Loc1".into(),
            page_limit: 500,
            page: Some(1),
            query: None,
            search_after: None,
            ..Default::default()
        }
    );
    assert!(s.is_busy());
}

#[test]
fn first_page_selects_the_first_contact_and_its_parts_load_after_it_settles() {
    let (mut s, fx) = loaded(common::people(0..10), 10);
    assert_eq!(s.set().len(), 10);
    assert_eq!(s.selected_id(), Some("c0"));
    let generation = settle(&fx).expect("settle timer");
    let fx = update(&mut s, Msg::Settled(generation));
    let (id, parts) = load(&fx).expect("load");
    assert_eq!(id, "c0");
    assert_eq!(
        parts,
        Parts {
            detail: true,
            tasks: true,
            notes: true,
            appointments: true
        }
    );
    let extras = s.selected_extras().expect("extras");
    assert!(extras.tasks.is_loading());

    let task = Task {
        id: Some("t1".into()),
        title: Some("Call".into()),
        ..Default::default()
    };
    update(
        &mut s,
        Msg::Tasks {
            id: "c0".into(),
            result: Ok(vec![task.clone()]),
        },
    );
    assert_eq!(
        s.selected_extras().and_then(|e| e.tasks.ready()),
        Some(&vec![task])
    );
    // Cached: coming back later asks for nothing already there.
    update(
        &mut s,
        Msg::Contact {
            id: "c0".into(),
            result: Ok(common::people(0..1).remove(0)),
        },
    );
    update(
        &mut s,
        Msg::Notes {
            id: "c0".into(),
            result: Ok(vec![]),
        },
    );
    update(
        &mut s,
        Msg::Appointments {
            id: "c0".into(),
            result: Ok(vec![]),
        },
    );
    update(&mut s, key('j'));
    let fx = update(&mut s, key('k'));
    let generation = settle(&fx).expect("settle");
    assert!(
        load(&update(&mut s, Msg::Settled(generation))).is_none(),
        "all four parts are cached"
    );
}

#[test]
fn scrolling_past_contacts_loads_only_where_the_cursor_rests() {
    let (mut s, _) = loaded(common::people(0..10), 10);
    let mut timers = Vec::new();
    for _ in 0..4 {
        timers.push(settle(&update(&mut s, key('j'))).expect("settle"));
    }
    assert_eq!(s.selected_id(), Some("c4"));
    for stale in &timers[..3] {
        assert!(
            update(&mut s, Msg::Settled(*stale)).is_empty(),
            "a stale timer loads nothing"
        );
    }
    let (id, _) = load(&update(&mut s, Msg::Settled(timers[3]))).expect("load");
    assert_eq!(id, "c4");
}

#[test]
fn moving_on_drops_the_old_contacts_load() {
    let (mut s, _) = loaded(common::people(0..10), 10);
    let (first, _) = load(&update(&mut s, code(KeyCode::Enter))).expect("enter loads at once");
    assert_eq!(first, "c0");
    update(&mut s, key('1'));
    update(&mut s, key('j'));
    let (second, parts) = load(&update(&mut s, code(KeyCode::Enter))).expect("load");
    assert_eq!(second, "c1");
    assert!(parts.any());
    // The first contact's parts are no longer "loading": its requests were cancelled and will
    // be asked again if the user goes back.
    let old = s.extras.get("c0").expect("c0 cached");
    assert_eq!(old.tasks, Load::Idle);
    update(&mut s, key('1'));
    update(&mut s, key('k'));
    let (again, parts) = load(&update(&mut s, code(KeyCode::Enter))).expect("reload");
    assert_eq!((again.as_str(), parts.tasks), ("c0", true));
}

#[test]
fn pages_on_as_the_cursor_nears_the_end_and_stops_at_the_total() {
    let (mut s, fx) = loaded(common::people(0..100), 237);
    assert!(fetch(&fx).is_none(), "the cursor is far from the end");
    let fx = update(&mut s, key('G'));
    let (generation, req) = fetch(&fx).expect("next page near the end");
    assert_eq!(req.page, Some(2));
    assert!(
        fetch(&update(&mut s, key('G'))).is_none(),
        "one page request at a time"
    );
    let fx = update(
        &mut s,
        Msg::Page {
            generation,
            request: req,
            result: page(common::people(100..200), 237),
        },
    );
    assert!(fetch(&fx).is_none());
    let (generation, req) = fetch(&update(&mut s, key('G'))).expect("page 3");
    assert_eq!(req.page, Some(3));
    // Overlapping pages (a contact added meanwhile) never show a contact twice.
    let fx = update(
        &mut s,
        Msg::Page {
            generation,
            request: req,
            result: page(common::people(195..237), 237),
        },
    );
    assert!(fetch(&fx).is_none());
    assert_eq!(s.set().len(), 237);
    assert!(s.set().next.is_none());
    assert!(
        fetch(&update(&mut s, key('G'))).is_none(),
        "everything is loaded"
    );
}

#[test]
fn a_failed_page_shows_the_error_and_r_retries_it() {
    let (mut s, _) = loaded(common::people(0..100), 300);
    let (generation, req) = fetch(&update(&mut s, key('G'))).expect("page 2");
    let err = ApiError::Server {
        status: 502,
        message: "Bad Gateway".into(),
    };
    update(
        &mut s,
        Msg::Page {
            generation,
            request: req,
            result: Err(err),
        },
    );
    let status = s.status.clone().expect("status");
    assert!(
        status.error && status.text.contains("Server error 502"),
        "{status:?}"
    );
    assert!(
        fetch(&update(&mut s, key('k'))).is_none(),
        "no automatic hammering after an error"
    );
    let (generation, req) = fetch(&update(&mut s, key('r'))).expect("refresh");
    assert_eq!(req.page, Some(1));
    update(
        &mut s,
        Msg::Page {
            generation,
            request: req,
            result: page(common::people(0..100), 300),
        },
    );
    assert_eq!(s.status, None, "the error clears once loading works");
    assert_eq!(
        s.selected_id(),
        Some("c98"),
        "refresh keeps the cursor on the same contact"
    );
}

#[test]
fn answers_for_an_old_generation_are_ignored() {
    let mut s = state();
    let (old_gen, old_req) = fetch(&init(&mut s)).expect("fetch");
    let (new_gen, new_req) = fetch(&update(&mut s, key('r'))).expect("refresh");
    assert_ne!(old_gen, new_gen);
    update(
        &mut s,
        Msg::Page {
            generation: old_gen,
            request: old_req,
            result: page(common::people(0..5), 5),
        },
    );
    assert!(s.set().is_empty(), "the stale page was dropped");
    update(
        &mut s,
        Msg::Page {
            generation: new_gen,
            request: new_req,
            result: page(common::people(10..12), 2),
        },
    );
    assert_eq!(s.set().len(), 2);
}

#[test]
fn slash_filters_loaded_contacts_as_you_type() {
    let mut contacts = common::people(0..50);
    contacts[30].first_name = Some("Ånnika".into());
    contacts[31].company_name = Some("Annapurna Homes".into());
    let (mut s, _) = loaded(contacts, 50);
    update(&mut s, key('/'));
    assert!(s.searching());
    for c in "ann".chars() {
        update(&mut s, key(c));
    }
    // Accents and case do not matter; the name that starts with it comes first, then the
    // company.
    assert_eq!(s.visible_len(), 2, "Ånnika and Annapurna Homes");
    assert_eq!(s.selected_id(), Some("c30"));
    assert_eq!(s.visible.as_deref(), Some(&[30, 31][..]));
    update(&mut s, code(KeyCode::Backspace));
    update(&mut s, code(KeyCode::Backspace));
    update(&mut s, code(KeyCode::Backspace));
    for c in "ÅNN".chars() {
        update(&mut s, key(c));
    }
    assert_eq!(s.visible.as_deref(), Some(&[30, 31][..]));
    // `j` is text while typing, not a movement.
    update(&mut s, key('j'));
    assert_eq!(s.filter.text(), "ÅNNj");
    assert_eq!(s.visible_len(), 0);
    update(&mut s, code(KeyCode::Esc));
    assert_eq!((s.idle(), s.visible_len(), s.filter.text()), (true, 50, ""));
}

#[test]
fn enter_runs_the_server_search_and_esc_returns_to_all_contacts() {
    let (mut s, _) = loaded(common::people(0..50), 50);
    update(&mut s, key('j'));
    update(&mut s, key('/'));
    for c in "smith".chars() {
        update(&mut s, key(c));
    }
    let fx = update(&mut s, code(KeyCode::Enter));
    let (generation, req) = fetch(&fx).expect("server search");
    assert_eq!(req.query.as_deref(), Some("smith"));
    assert_eq!(req.page, Some(1));
    assert!(s.idle());
    let mut hit = common::people(900..901);
    hit[0].last_name = Some("Smith".into());
    update(
        &mut s,
        Msg::Page {
            generation,
            request: req,
            result: page(hit, 1),
        },
    );
    assert_eq!(s.set().query.as_deref(), Some("smith"));
    assert_eq!(s.selected_id(), Some("c900"));
    update(&mut s, code(KeyCode::Esc));
    assert!(s.search.is_none());
    assert_eq!(s.set().len(), 50, "the full list is back without reloading");
}

#[test]
fn pasted_text_goes_into_the_search_line_only() {
    let (mut s, _) = loaded(common::people(0..20), 20);
    update(&mut s, Msg::Paste("qqq".into()));
    assert_eq!(
        (s.filter.text(), s.selected_id()),
        ("", Some("c0")),
        "no commands from a paste"
    );
    update(&mut s, key('/'));
    update(&mut s, Msg::Paste("person1\x1b[2J\n".into()));
    assert_eq!(s.filter.text(), "person1");
    assert_eq!(s.visible_len(), 11, "person1 and person10..19");
}

#[test]
fn search_text_is_cut_to_the_api_limit() {
    let (mut s, _) = loaded(common::people(0..5), 5);
    update(&mut s, key('/'));
    for _ in 0..80 {
        update(&mut s, key('x'));
    }
    let (_, req) = fetch(&update(&mut s, code(KeyCode::Enter))).expect("search");
    assert_eq!(req.query.map(|q| q.chars().count()), Some(75));
    assert!(s.status.expect("status").text.contains("75"));
}

#[test]
fn custom_field_names_replace_ids_and_a_refusal_changes_nothing_else() {
    use ghl_tui::api::CustomFieldDef;
    let (mut s, _) = loaded(common::people(0..3), 3);
    let def = CustomFieldDef {
        id: Some("f1".into()),
        name: Some("Budget".into()),
        ..Default::default()
    };
    let nameless = CustomFieldDef {
        id: Some("f2".into()),
        name: Some(" ".into()),
        ..Default::default()
    };
    update(&mut s, Msg::Fields(Ok(vec![def, nameless])));
    assert_eq!(s.field_names.get("f1").map(String::as_str), Some("Budget"));
    assert!(
        !s.field_names.contains_key("f2"),
        "a blank name keeps showing the id"
    );
    let before = s.status.clone();
    update(
        &mut s,
        Msg::Fields(Err(ApiError::MissingScope {
            message: "no".into(),
        })),
    );
    assert_eq!(s.status, before);
}

#[test]
fn a_release_is_no_key_and_a_repeat_is_one() {
    let (mut s, _) = loaded(common::people(0..5), 5);
    let mut release = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    update(&mut s, Msg::Key(release));
    assert_eq!(s.selected_id(), Some("c0"), "a release does nothing");
    // Where the terminal reports them, a held key repeats: each repeat moves.
    let mut repeat = release;
    repeat.kind = KeyEventKind::Repeat;
    update(&mut s, Msg::Key(repeat));
    assert_eq!(s.selected_id(), Some("c1"));
}

#[test]
fn panes_switch_by_number_tab_and_back() {
    let (mut s, _) = loaded(common::people(0..5), 5);
    let fx = update(&mut s, key('3'));
    assert_eq!((s.focus, s.tab), (Pane::Tasks, Pane::Tasks));
    assert!(
        load(&fx).is_some(),
        "opening a pane loads it without waiting"
    );
    update(&mut s, code(KeyCode::Tab));
    assert_eq!(s.focus, Pane::Notes);
    update(&mut s, code(KeyCode::Tab));
    update(&mut s, code(KeyCode::Tab));
    assert_eq!(s.focus, Pane::Contacts, "Tab wraps around");
    // Terminals send Shift-Tab as BackTab with SHIFT set.
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
    );
    assert_eq!(s.focus, Pane::Appointments);
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(s.focus, Pane::Contacts);
    assert_eq!(
        s.tab,
        Pane::Appointments,
        "the right side keeps showing the last pane"
    );
}

#[test]
fn a_failed_pane_says_so_and_r_retries_it() {
    let (mut s, _) = loaded(common::people(0..5), 5);
    update(&mut s, key('3'));
    let err = ApiError::Network {
        message: "connection reset".into(),
    };
    update(
        &mut s,
        Msg::Tasks {
            id: "c0".into(),
            result: Err(err.clone()),
        },
    );
    assert_eq!(
        s.selected_extras().map(|e| e.tasks.clone()),
        Some(Load::Failed(err))
    );
    let fx = update(&mut s, key('r'));
    let (id, parts) = load(&fx).expect("retry");
    assert_eq!(id, "c0");
    assert!(parts.tasks);
}

#[test]
fn task_cursor_moves_within_the_tasks() {
    let (mut s, _) = loaded(common::people(0..5), 5);
    update(&mut s, key('3'));
    let tasks: Vec<Task> = (0..4)
        .map(|i| Task {
            id: Some(format!("t{i}")),
            ..Default::default()
        })
        .collect();
    update(
        &mut s,
        Msg::Tasks {
            id: "c0".into(),
            result: Ok(tasks),
        },
    );
    for _ in 0..10 {
        update(&mut s, key('j'));
    }
    assert_eq!(s.cursor(Pane::Tasks).selected, 3, "stops at the last task");
    assert_eq!(s.selected_id(), Some("c0"), "the contact list did not move");
    update(&mut s, key('g'));
    assert_eq!(s.cursor(Pane::Tasks).selected, 0);
}

#[test]
fn a_long_task_list_scrolls_two_lines_per_task() {
    let (mut s, _) = loaded(common::people(0..5), 5);
    update(&mut s, key('3'));
    let tasks: Vec<Task> = (0..40)
        .map(|i| Task {
            id: Some(format!("t{i}")),
            ..Default::default()
        })
        .collect();
    update(
        &mut s,
        Msg::Tasks {
            id: "c0".into(),
            result: Ok(tasks),
        },
    );
    for _ in 0..25 {
        update(&mut s, key('j'));
    }
    let c = s.cursor(Pane::Tasks);
    // At 100x30 the right pane has 25 rows below its tab bar: 12 two-line tasks fit.
    assert_eq!(c.selected, 25);
    assert_eq!(
        c.offset,
        25 + 1 - 12,
        "the selected task is the last one in view"
    );
    update(&mut s, code(KeyCode::PageUp));
    assert_eq!(
        s.cursor(Pane::Tasks).selected,
        25 - 11,
        "a page is a screenful of tasks less one"
    );
}

#[test]
fn mouse_click_selects_and_wheel_scrolls() {
    let (mut s, _) = loaded(common::people(0..60), 60);
    // At 100x30 the list's first row is on screen row 2 (border, header).
    let click = |row| {
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 5,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    update(&mut s, click(6));
    assert_eq!(s.selected_id(), Some("c4"));
    let wheel = Msg::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 5,
        row: 6,
        modifiers: KeyModifiers::NONE,
    });
    update(&mut s, wheel);
    assert_eq!(s.selected_id(), Some("c7"));
    // A click on the right side's tab bar switches tabs: " 2 Details │ 3 Tasks".
    let tabs = Msg::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 58,
        row: 1,
        modifiers: KeyModifiers::NONE,
    });
    update(&mut s, tabs);
    assert_eq!(s.focus, Pane::Tasks);
    // Behind an open dialog nothing is clicked or scrolled.
    update(&mut s, key('n'));
    assert!(s.overlay().is_some(), "the new-contact form");
    let before = s.selected_id().map(String::from);
    update(&mut s, click(8));
    update(
        &mut s,
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::ScrollDown,
            column: 5,
            row: 6,
            modifiers: KeyModifiers::NONE,
        }),
    );
    assert_eq!(s.selected_id().map(String::from), before);
}

#[test]
fn help_opens_closes_and_swallows_other_keys() {
    let (mut s, _) = loaded(common::people(0..5), 5);
    update(&mut s, key('?'));
    assert!(matches!(s.modal, Modal::Help { .. }));
    update(&mut s, key('j'));
    assert_eq!(
        s.selected_id(),
        Some("c0"),
        "keys scroll the help, not the list"
    );
    let fx = update(&mut s, key('q'));
    assert!(s.idle() && fx.is_empty(), "q closes help first");
    let fx = update(&mut s, key('q'));
    assert_eq!(fx, vec![Effect::Quit]);
}

#[test]
fn ctrl_c_and_signals_quit_from_anywhere() {
    let (mut s, _) = loaded(common::people(0..5), 5);
    update(&mut s, key('/'));
    let fx = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert_eq!(fx, vec![Effect::Quit]);
    let (mut s, _) = loaded(common::people(0..5), 5);
    assert_eq!(update(&mut s, Msg::Shutdown), vec![Effect::Quit]);
}

#[test]
fn resize_keeps_the_selection_on_screen() {
    let (mut s, _) = loaded(common::people(0..200), 200);
    for _ in 0..100 {
        update(&mut s, key('j'));
    }
    update(&mut s, Msg::Resize(80, 10));
    // 80x10 leaves the list 4 rows: 10 less two bars, two borders, header and search line.
    let rows = s.list.selected - s.list.offset;
    assert!(rows < 4, "selection row {rows} is inside the 4-row window");
    assert_eq!(s.selected_id(), Some("c100"));
}

#[test]
fn switching_panes_does_not_restart_loads_under_way() {
    let (mut s, _) = loaded(common::people(0..5), 5);
    let (_, parts) = load(&update(&mut s, code(KeyCode::Enter))).expect("enter loads");
    assert!(parts.tasks && parts.notes);
    for pane in ['3', '4', '5', '2', '3'] {
        assert!(
            load(&update(&mut s, key(pane))).is_none(),
            "pane {pane} asked again"
        );
    }
    // One part failing is asked for alone.
    update(
        &mut s,
        Msg::Notes {
            id: "c0".into(),
            result: Err(ApiError::Timeout),
        },
    );
    let (_, parts) = load(&update(&mut s, key('r'))).expect("refresh");
    assert!(parts.notes && parts.tasks, "a refresh asks for everything");
}

#[test]
fn help_scroll_stops_at_the_end_and_ctrl_c_still_quits() {
    let (mut s, _) = loaded(common::people(0..5), 5);
    update(&mut s, key('?'));
    for _ in 0..500 {
        update(&mut s, key('j'));
    }
    let Modal::Help { scroll: bottom } = s.modal else {
        panic!("help open: {:?}", s.modal)
    };
    assert!(bottom > 0, "the help scrolls at 120x40");
    update(&mut s, key('k'));
    assert!(
        matches!(s.modal, Modal::Help { scroll } if scroll == bottom - 1),
        "one key back up moves at once"
    );
    let fx = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert_eq!(fx, vec![Effect::Quit]);
}

#[test]
fn tab_keeps_the_filter_and_esc_in_the_line_keeps_a_server_search() {
    let (mut s, _) = loaded(common::people(0..30), 30);
    update(&mut s, key('/'));
    for c in "person 2".chars() {
        update(&mut s, key(c));
    }
    let matches = s.visible_len();
    update(&mut s, code(KeyCode::Tab));
    assert_eq!((s.idle(), s.visible_len()), (true, matches), "filter kept");
    update(&mut s, key('j'));
    assert_eq!(
        s.selected_id(),
        Some("c12"),
        "j moves within the matches (c2, c12, c20…)"
    );
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(s.visible_len(), 30, "Esc in the list clears the filter");

    update(&mut s, key('/'));
    for c in "smith".chars() {
        update(&mut s, key(c));
    }
    let (generation, request) = fetch(&update(&mut s, code(KeyCode::Enter))).expect("search");
    update(
        &mut s,
        Msg::Page {
            generation,
            request,
            result: page(common::people(50..52), 2),
        },
    );
    update(&mut s, key('/'));
    update(&mut s, key('x'));
    update(&mut s, code(KeyCode::Esc));
    assert!(s.search.is_some(), "Esc in the line clears only the line");
    update(&mut s, code(KeyCode::Esc));
    assert!(
        s.search.is_none(),
        "Esc in the list leaves the server search"
    );
}

#[test]
fn ctrl_w_deletes_a_word() {
    let (mut s, _) = loaded(common::people(0..3), 3);
    update(&mut s, key('/'));
    for c in "person 1".chars() {
        update(&mut s, key(c));
    }
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL)),
    );
    assert_eq!(s.filter.text(), "person ");
}

#[test]
fn a_note_taller_than_the_pane_is_read_line_by_line() {
    use ghl_tui::api::Note;
    let (mut s, _) = loaded(common::people(0..3), 3);
    update(&mut s, key('4'));
    let long = (1..=60)
        .map(|i| format!("line {i}"))
        .collect::<Vec<_>>()
        .join("\n");
    let notes = vec![
        Note {
            id: Some("n1".into()),
            body: Some(long),
            date_added: Some("2026-11-20T10:00:00Z".into()),
            ..Default::default()
        },
        Note {
            id: Some("n2".into()),
            body: Some("short".into()),
            date_added: Some("2026-11-01T10:00:00Z".into()),
            ..Default::default()
        },
    ];
    update(
        &mut s,
        Msg::Notes {
            id: "c0".into(),
            result: Ok(notes),
        },
    );
    for _ in 0..10 {
        update(&mut s, key('j'));
    }
    let c = s.cursor(Pane::Notes);
    assert_eq!(
        (c.selected, c.offset),
        (0, 10),
        "j scrolls inside the long note first"
    );
    for _ in 0..100 {
        update(&mut s, key('j'));
    }
    assert_eq!(
        s.cursor(Pane::Notes).selected,
        1,
        "then moves on to the next note"
    );
    update(&mut s, key('g'));
    assert_eq!(
        s.cursor(Pane::Notes),
        ghl_tui::app::state::Cursor::default()
    );
}

// --- The location switcher ----------------------------------------------------------------

fn located(id: &str, name: &str) -> ghl_tui::api::InstalledLocation {
    ghl_tui::api::InstalledLocation {
        id: id.into(),
        name: name.into(),
        address: String::new(),
    }
}

fn two_places() -> Vec<ghl_tui::api::InstalledLocation> {
    vec![located("Loc1", "Main"), located("Loc2", "Second")]
}

fn three_places() -> Vec<ghl_tui::api::InstalledLocation> {
    vec![
        located("Loc1", "Main"),
        located("Loc2", "Second"),
        located("Loc3", "Third"),
    ]
}

fn opened(id: &str, name: &str) -> Msg {
    Msg::LocationOpened {
        id: id.into(),
        name: name.into(),
    }
}

fn opens(id: &str, name: &str) -> Vec<Effect> {
    vec![Effect::OpenLocation {
        id: id.into(),
        name: name.into(),
    }]
}

fn failed(id: &str, why: &str) -> Msg {
    Msg::LocationFailed {
        id: id.into(),
        why: why.into(),
    }
}

fn elsewhere(location: &str, waiting: usize, refused: usize) -> Msg {
    Msg::Elsewhere {
        location: location.into(),
        waiting,
        refused,
    }
}

fn picker(s: &State) -> &ghl_tui::app::locations::Picker {
    match s.overlay() {
        Some(ghl_tui::app::state::Overlay::Locations(p)) => p,
        other => panic!("no switcher open: {other:?}"),
    }
}

/// An agency's state with the switcher open on `places`.
fn switcher_on(s: &mut State, places: Vec<ghl_tui::api::InstalledLocation>) {
    s.switchable = true;
    update(s, key('L'));
    update(s, Msg::Locations(Ok(places)));
}

fn type_text(s: &mut State, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(s, key(c))).collect()
}

#[test]
fn l_on_a_single_location_sign_in_says_how_to_get_more() {
    let mut s = state();
    let fx = update(&mut s, key('L'));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(s.overlay().is_none());
    let status = s.status.clone().expect("status");
    assert!(status.text.contains("login --agency"), "{status:?}");
}

#[test]
fn the_switcher_searches_by_typing_and_opens_the_pick() {
    let mut s = state();
    s.switchable = true;
    let fx = update(&mut s, key('L'));
    assert_eq!(fx, vec![Effect::ListLocations]);
    assert!(picker(&s).all.is_none(), "loading first");
    update(
        &mut s,
        Msg::Locations(Ok(vec![
            located("Loc2", "Zebra Branch"),
            located("Loc1", "Main Office"),
            located("Loc3", "Harbor Branch"),
        ])),
    );
    // Sorted by name, starting on the current location.
    let names: Vec<_> = picker(&s)
        .matches()
        .iter()
        .map(|l| l.name.clone())
        .collect();
    assert_eq!(names, ["Harbor Branch", "Main Office", "Zebra Branch"]);
    assert_eq!(picker(&s).cursor, 1);
    // Letters search (even j and k, which move elsewhere); every word must match.
    type_text(&mut s, "br zeb");
    let names: Vec<_> = picker(&s).matches().iter().map(|l| l.id.clone()).collect();
    assert_eq!(names, ["Loc2"]);
    let fx = update(&mut s, code(KeyCode::Enter));
    assert_eq!(fx, opens("Loc2", "Zebra Branch"));
    // While it opens, keys wait: a second Enter does not open it twice.
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
    assert_eq!(picker(&s).opening.as_deref(), Some("Zebra Branch"));
}

#[test]
fn enter_on_the_current_location_just_closes() {
    let mut s = state();
    switcher_on(&mut s, vec![located("Loc1", "Main Office")]);
    let fx = update(&mut s, code(KeyCode::Enter));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(s.overlay().is_none());
}

#[test]
fn an_opened_location_starts_over_and_old_pages_cannot_land_in_it() {
    let mut s = state();
    s.zone = chrono::FixedOffset::east_opt(3600).expect("zone");
    s.keymap = std::sync::Arc::new(
        ghl_tui::app::keymap::Keymap::with_user(
            "[browse]\nprepend_keymap = [ { on = \"ctrl-j\", run = \"down\" } ]\n",
            "keymap.toml",
        )
        .expect("parses"),
    );
    let first = init(&mut s);
    let (old_gen, old_req) = fetch(&first).expect("first page");
    switcher_on(&mut s, two_places());
    update(&mut s, code(KeyCode::Down));
    update(&mut s, code(KeyCode::Enter));
    let fx = update(&mut s, opened("Loc2", "Second"));
    assert_eq!(fx.first(), Some(&Effect::UseLocation { id: "Loc2".into() }));
    let (new_gen, req) = fetch(&fx).expect("the new location's first page");
    assert_eq!(req.location_id, "Loc2");
    assert_ne!(new_gen, old_gen, "generations are never reused");
    assert!(fx.contains(&Effect::Replay) && fx.contains(&Effect::LoadDrafts));
    assert_eq!(s.location_id, "Loc2");
    assert!(s.account_label.ends_with("Second"), "{}", s.account_label);
    assert!(s.overlay().is_none());
    assert!(s.switchable, "still an agency");
    assert_eq!(s.zone.local_minus_utc(), 3600, "the user's zone stays");
    let ctrl_j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL);
    assert_eq!(
        s.keymap
            .lookup(ghl_tui::app::keymap::Scope::Browse, &ctrl_j),
        Some(ghl_tui::app::keymap::Action::Down),
        "and so do the user's keys"
    );
    // A page of the old location that was still on its way is not shown here.
    update(
        &mut s,
        Msg::Page {
            generation: old_gen,
            request: old_req,
            result: page(common::people(0..1), 1),
        },
    );
    assert!(s.browse.is_empty(), "{:?}", s.browse.index);
}

#[test]
fn a_location_that_fails_to_open_leaves_everything_as_it_was() {
    let mut s = state();
    switcher_on(&mut s, two_places());
    update(&mut s, code(KeyCode::Down));
    update(&mut s, code(KeyCode::Enter));
    update(&mut s, failed("Loc2", "Location is not active"));
    assert_eq!(s.location_id, "Loc1");
    assert!(picker(&s).opening.is_none(), "the user can pick again");
    let status = s.status.clone().expect("status");
    assert!(
        status.error && status.text.contains("Location is not active"),
        "{status:?}"
    );
}

#[test]
fn only_the_latest_choice_is_followed() {
    let mut s = state();
    switcher_on(&mut s, three_places());
    update(&mut s, code(KeyCode::Down));
    update(&mut s, code(KeyCode::Enter));
    // Esc while Second opens calls it off; then Third is chosen.
    update(&mut s, code(KeyCode::Esc));
    assert!(s.overlay().is_none());
    switcher_on(&mut s, three_places());
    update(&mut s, code(KeyCode::Down));
    update(&mut s, code(KeyCode::Down));
    let fx = update(&mut s, code(KeyCode::Enter));
    assert_eq!(fx, opens("Loc3", "Third"));
    // Second finishes opening first: it is not followed.
    let late = update(&mut s, opened("Loc2", "Second"));
    assert!(late.is_empty(), "{late:?}");
    assert_eq!(s.location_id, "Loc1");
    let fx = update(&mut s, opened("Loc3", "Third"));
    assert_eq!(fx.first(), Some(&Effect::UseLocation { id: "Loc3".into() }));
    assert_eq!(s.location_id, "Loc3");
}

#[test]
fn a_location_opened_after_esc_is_not_followed() {
    let mut s = state();
    switcher_on(&mut s, two_places());
    update(&mut s, code(KeyCode::Down));
    update(&mut s, code(KeyCode::Enter));
    update(&mut s, code(KeyCode::Esc));
    let fx = update(&mut s, opened("Loc2", "Second"));
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(s.location_id, "Loc1");
}

/// The failure of a choice the user called off (Esc, then another pick) does not cancel the
/// later choice or report on the abandoned one.
#[test]
fn a_failure_of_an_abandoned_choice_is_ignored() {
    let mut s = state();
    let places = three_places();
    switcher_on(&mut s, places.clone());
    update(&mut s, code(KeyCode::Down));
    update(&mut s, code(KeyCode::Enter));
    update(&mut s, code(KeyCode::Esc));
    switcher_on(&mut s, places);
    update(&mut s, code(KeyCode::Down));
    update(&mut s, code(KeyCode::Down));
    update(&mut s, code(KeyCode::Enter));
    update(&mut s, failed("Loc2", "Location is not active"));
    assert!(
        s.status.as_ref().is_none_or(|st| !st.error),
        "{:?}",
        s.status
    );
    let fx = update(&mut s, opened("Loc3", "Third"));
    assert_eq!(fx.first(), Some(&Effect::UseLocation { id: "Loc3".into() }));
}

/// Typed while the list was loading: the cursor lands among the matches, so the list shows
/// them and Enter opens the one highlighted.
#[test]
fn a_query_typed_before_the_list_arrives_is_honoured() {
    let mut s = state();
    s.switchable = true;
    update(&mut s, key('L'));
    type_text(&mut s, "third");
    // The current location sorts last, far from the only match.
    update(
        &mut s,
        Msg::Locations(Ok(vec![
            located("Loc3", "Third"),
            located("Loc2", "Second"),
            located("Loc1", "Zed"),
        ])),
    );
    let p = picker(&s);
    assert_eq!(p.matches().len(), 1);
    assert_eq!(p.cursor, 0);
    let fx = update(&mut s, code(KeyCode::Enter));
    assert_eq!(fx, opens("Loc3", "Third"));
}

/// A pasted line usually ends in a line break, sent as CR: it is not part of the query.
#[test]
fn a_pasted_name_with_its_line_break_still_matches() {
    let mut s = state();
    switcher_on(
        &mut s,
        vec![located("Loc1", "Main"), located("Loc2", "Denver")],
    );
    update(&mut s, Msg::Paste("Denver\r".into()));
    assert_eq!(picker(&s).query.text(), "Denver");
    assert_eq!(picker(&s).matches().len(), 1);
}

#[test]
fn ctrl_c_quits_from_the_switcher_even_while_a_location_opens() {
    let mut s = state();
    switcher_on(&mut s, two_places());
    update(&mut s, code(KeyCode::Down));
    update(&mut s, code(KeyCode::Enter));
    assert!(picker(&s).opening.is_some());
    let fx = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert_eq!(fx, vec![Effect::Quit]);
}

fn waiting_change(id: i64) -> ghl_tui::app::state::PendingView {
    ghl_tui::app::state::PendingView {
        id,
        contact_id: None,
        what: "New contact".into(),
        attempts: 1,
        error: Some("Server error 503".into()),
        waits_for: None,
        aside: None,
        op: None,
    }
}

/// Changes left in a location the user switched away from stay in sight: counted after the
/// switch, reported saved or refused as the background sends them, and forgotten once the
/// user is back there (its own outbox shows them).
#[test]
fn changes_left_in_another_location_stay_in_sight() {
    let mut s = state();
    switcher_on(&mut s, two_places());
    s.pending = vec![waiting_change(1), waiting_change(2)];
    update(&mut s, code(KeyCode::Down));
    update(&mut s, code(KeyCode::Enter));
    update(&mut s, opened("Loc2", "Second"));
    let left = &s.elsewhere["Loc1"];
    assert_eq!((left.name.as_str(), left.waiting), ("Main", 2));
    assert_eq!(
        ghl_tui::app::locations::left_behind(&s),
        vec!["2 changes in Main still waiting; they are sent when you next open it (L)"]
    );
    // One went out, one still waits: nothing to say yet.
    update(&mut s, elsewhere("Loc1", 1, 0));
    assert_eq!(s.elsewhere["Loc1"].waiting, 1);
    update(&mut s, elsewhere("Loc1", 0, 0));
    assert_eq!(
        s.status.clone().expect("status").text,
        "Changes in Main saved"
    );
    assert!(ghl_tui::app::locations::left_behind(&s).is_empty());
    // Then the server refuses one (counts are all told, not since last time).
    update(&mut s, elsewhere("Loc1", 0, 1));
    let status = s.status.clone().expect("status");
    assert!(status.error, "{status:?}");
    assert_eq!(
        status.text,
        "1 change in Main not saved; open it (L) to see them"
    );
    // The same count again is no news.
    s.status = None;
    update(&mut s, elsewhere("Loc1", 0, 1));
    assert_eq!(s.status, None);
    assert_eq!(
        ghl_tui::app::locations::left_behind(&s),
        vec!["1 change in Main not saved; open it (L) to see them"]
    );
    // Back in Main: its own outbox and drafts take over.
    switcher_on(&mut s, two_places());
    update(&mut s, code(KeyCode::Up));
    update(&mut s, code(KeyCode::Enter));
    update(&mut s, opened("Loc1", "Main"));
    assert!(!s.elsewhere.contains_key("Loc1"));
    assert!(
        s.elsewhere.contains_key("Loc2"),
        "Second is the one left now"
    );
    assert!(ghl_tui::app::locations::left_behind(&s).is_empty());
    // A late word from the background about the place the user is in changes nothing.
    update(&mut s, elsewhere("Loc1", 3, 0));
    assert!(!s.elsewhere.contains_key("Loc1"));
}

/// Good news from elsewhere never hides an error the user has not read; bad news does.
#[test]
fn news_from_elsewhere_does_not_cover_an_error() {
    let mut s = state();
    s.elsewhere.insert(
        "Loc9".into(),
        ghl_tui::app::state::Elsewhere {
            name: "Far".into(),
            waiting: 1,
            refused: 0,
        },
    );
    s.say("Local store: disk full", true);
    update(&mut s, elsewhere("Loc9", 0, 0));
    assert_eq!(
        s.status.clone().expect("status").text,
        "Local store: disk full"
    );
    update(&mut s, elsewhere("Loc9", 0, 1));
    assert_eq!(
        s.status.clone().expect("status").text,
        "1 change in Far not saved; open it (L) to see them"
    );
}

/// While the selection moves faster than a person reads, the right side stays on the contact
/// it showed; when the moves pause (the settle timer), or the user looks at it, it catches up.
#[test]
fn held_moves_keep_the_right_side_until_they_pause() {
    let (mut s, _) = loaded(common::people(0..50), 50);
    assert_eq!(s.shown_id(), Some("c0"), "the first contact shows at once");
    let mut last = None;
    for _ in 0..3 {
        last = settle(&update(&mut s, key('j')));
    }
    assert!(s.moving);
    assert_eq!((s.selected_id(), s.shown_id()), (Some("c3"), Some("c0")));
    // An older timer is stale: the moves had not paused then.
    let stale = s.selection_gen - 1;
    update(&mut s, Msg::Settled(stale));
    assert_eq!(s.shown_id(), Some("c0"));
    let fx = update(&mut s, Msg::Settled(last.expect("a settle timer")));
    assert_eq!(s.shown_id(), Some("c3"), "caught up");
    assert!(
        load(&fx).is_some_and(|(id, _)| id == "c3"),
        "and its parts load"
    );
    // Looking at the right side is a pause too.
    update(&mut s, key('j'));
    assert_eq!(s.shown_id(), Some("c3"));
    update(&mut s, code(KeyCode::Tab));
    assert_eq!(s.shown_id(), Some("c4"));
}

/// At the edge of the list the window jumps (the selection lands two rows from the top), so a
/// held key does not rewrite every row for every row passed; up is the mirror.
#[test]
fn the_list_jumps_at_its_edge() {
    let (mut s, _) = loaded(common::people(0..200), 200);
    let height = s.geometry.list_height;
    assert!(height > 10, "measured: {height}");
    for _ in 0..height - 1 {
        update(&mut s, key('j'));
    }
    assert_eq!(
        s.list.offset, 0,
        "the last row of the window, no scroll yet"
    );
    update(&mut s, key('j'));
    assert_eq!(s.list.selected - s.list.offset, 2, "{:?}", s.list);
    let offset = s.list.offset;
    for _ in 0..5 {
        update(&mut s, key('j'));
    }
    assert_eq!(
        s.list.offset, offset,
        "moves inside the window scroll nothing"
    );
    for _ in 0..8 {
        update(&mut s, key('k'));
    }
    assert_eq!(
        s.list.offset + height - 1 - s.list.selected,
        2,
        "up past the top lands two rows from the bottom: {:?}",
        s.list
    );
}

#[test]
fn a_large_list_is_searched_off_the_loop_and_only_the_newest_answer_counts() {
    let (mut s, _) = loaded(common::people(0..25_000), 25_000);
    update(&mut s, key('/'));
    let mut finds = Vec::new();
    for c in "person 2499".chars() {
        for fx in update(&mut s, key(c)) {
            if let Effect::Find {
                generation,
                index,
                query,
                within,
            } = fx
            {
                finds.push((generation, index, query, within));
            }
        }
    }
    assert_eq!(
        finds.len(),
        "person 2499".len(),
        "every keystroke asks the worker"
    );
    assert!(
        s.visible.is_none(),
        "nothing shown is decided on the event loop"
    );
    // What the worker runs, for the last text and for an older one that answers late.
    let run = |(g, ix, q, within): &(
        u64,
        std::sync::Arc<ghl_tui::search::Index>,
        ghl_tui::search::Query,
        Option<std::sync::Arc<Vec<u32>>>,
    )| {
        let rows = ghl_tui::search::Searcher::default().search(
            ix,
            q,
            within.as_deref().map(Vec::as_slice),
            &[],
        );
        Msg::Found {
            generation: *g,
            rows,
        }
    };
    let newest = run(finds.last().expect("a find"));
    update(&mut s, newest);
    // 2499, 12499, 22499 and 24990..24999, in the list's order (digits match as written).
    assert_eq!(s.visible_len(), 13);
    assert_eq!(s.selected_id(), Some("c2499"));
    update(&mut s, run(&finds[3]));
    assert_eq!(
        s.visible_len(),
        13,
        "a late answer to an older text is dropped"
    );
    // Contacts matched by their notes follow the direct matches, once.
    let generation = s.filter_gen;
    update(
        &mut s,
        Msg::NoteHits {
            generation,
            ids: vec!["c7".into(), "c2499".into()],
        },
    );
    let visible = s.visible.clone().unwrap_or_default();
    assert_eq!(visible.len(), 14);
    assert_eq!((visible[0], visible[13]), (2499, 7));
}

/// The list as a finished first sync leaves the replica, read at start.
fn from_replica(s: &mut State, n: usize, changes: Vec<(String, i64, String)>) -> Vec<Effect> {
    let entries: Vec<ghl_tui::store::ListEntry> = common::people(0..n)
        .into_iter()
        .map(|contact| ghl_tui::store::ListEntry {
            contact,
            ..Default::default()
        })
        .collect();
    let mark = ghl_tui::store::SyncMark {
        watermark_ms: Some(1),
        last_sync_ms: Some(1),
        last_session_ms: Some(1_764_583_200_000),
        ..Default::default()
    };
    let mut fx = update(
        s,
        Msg::ReplicaLoaded {
            list: Box::new(ghl_tui::app::rows::set_from_entries(entries, n)),
            mark,
            changes,
            total: n,
        },
    );
    fx.extend(init(s));
    fx
}

#[test]
fn a_complete_replica_is_the_list_and_no_page_is_asked_for() {
    let mut s = state();
    let fx = from_replica(&mut s, 40, Vec::new());
    assert_eq!(s.set().len(), 40);
    assert!(fetch(&fx).is_none(), "no request for the list: {fx:?}");
    assert!(s.sync.complete);
    // `r` syncs rather than reloading the list page by page.
    s.sync.syncing_enabled = true;
    let fx = update(&mut s, key('r'));
    assert!(fx.contains(&Effect::SyncNow { full: false }), "{fx:?}");
    assert!(fetch(&fx).is_none());
}

#[test]
fn what_changed_since_last_time_is_said_and_listed() {
    let mut s = state();
    let changes = vec![
        ("c7".to_string(), 3, "companyName, tags".to_string()),
        ("c2".to_string(), 2, "new".to_string()),
    ];
    from_replica(&mut s, 20, changes);
    let said = s
        .status
        .as_ref()
        .map(|st| st.text.clone())
        .unwrap_or_default();
    assert!(said.starts_with("2 changed since "), "{said}");
    assert!(said.ends_with("C lists them"), "{said}");
    update(&mut s, key('C'));
    assert_eq!(s.filter.text(), "changed:");
    assert_eq!(
        s.visible.as_deref(),
        Some(&[7, 2][..]),
        "newest change first"
    );
    assert_eq!(s.selected_id(), Some("c7"));
    // More words search within them.
    for c in " person 2".chars() {
        update(&mut s, key(c));
    }
    assert_eq!(s.visible.as_deref(), Some(&[2][..]));
}

#[test]
fn sync_pages_change_the_list_in_place_and_search_keeps_up() {
    use ghl_tui::store::ListEntry;
    use ghl_tui::sync::pull::{PageDone, Phase};
    let mut s = state();
    from_replica(&mut s, 20, Vec::new());
    let mut changed = common::people(5..6).remove(0);
    changed.company_name = Some("Zyxel Corp".into());
    let page = |changed: Vec<ListEntry>| {
        Msg::SyncPage(PageDone {
            phase: Phase::Incremental,
            done: 1,
            total: Some(1),
            changed,
            removed: Vec::new(),
        })
    };
    update(
        &mut s,
        page(vec![ListEntry {
            contact: changed,
            fields: vec!["Platinum plan".into()],
            updated_ms: 2,
        }]),
    );
    let find = |s: &mut State, q: &str| {
        update(s, code(KeyCode::Esc));
        update(s, key('/'));
        for c in q.chars() {
            update(s, key(c));
        }
        s.visible.clone().unwrap_or_default()
    };
    assert_eq!(s.set().len(), 20);
    assert_eq!(find(&mut s, "zyxel"), vec![5], "the row changed in place");
    assert_eq!(find(&mut s, "platinum"), vec![5], "with its custom fields");
    // A new contact comes in at the top; the others keep what search knew of them.
    let mut new = common::people(999..1000).remove(0);
    new.date_added = Some("2030-01-01T00:00:00.000Z".into());
    update(
        &mut s,
        page(vec![ListEntry {
            contact: new,
            fields: vec!["Obsidian".into()],
            updated_ms: 3,
        }]),
    );
    assert_eq!(s.set().len(), 21);
    assert_eq!(s.set().row(0).map(|r| r.id()), Some("c999"), "newest first");
    assert_eq!(find(&mut s, "obsidian"), vec![0]);
    assert_eq!(find(&mut s, "platinum"), vec![6]);
}
