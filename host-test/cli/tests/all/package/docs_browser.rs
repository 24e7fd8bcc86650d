//! The docs page in a real browser: headless Chromium opens it from disk, with no console
//! error and no request anywhere, finds every entry's anchor, and its search finds an action.
//! The screenshot stays in `target/test-artefacts/docs-page.png`.

use super::*;
use crate::support::chromium::Chromium;
use okta_package::{catalog::Catalog, dist};
use serde_json::json;

#[test]
fn the_docs_page_works_in_chromium() {
    if !tool_available("chromium", "the docs page's browser check") {
        return;
    }
    let (_dir, out) = built_package();
    let page_path = out.join(dist::DOCS);
    let catalog = Catalog::parse(&std::fs::read_to_string(out.join(dist::CATALOG)).unwrap()).unwrap();
    let mut browser = Chromium::launch().unwrap();
    let url = format!("file://{}", page_path.display());
    let page = browser.open(&url).unwrap();

    let title = browser.eval(&page, "document.title").unwrap();
    assert!(title.as_str().unwrap().starts_with("Okta connector "), "{title}");

    // Every connection, trigger and action has its section and its link.
    let mut anchors = Vec::new();
    for (kind, entries) in
        [("connection", &catalog.connections), ("trigger", &catalog.triggers), ("action", &catalog.actions)]
    {
        anchors.extend(entries.iter().map(|e| format!("{kind}-{}", e.id)));
    }
    let missing = browser
        .eval(
            &page,
            &format!(
                "{}.filter(id => !document.getElementById(id) || !document.querySelector(`nav a[href=\"#${{CSS.escape(id)}}\"]`))",
                json!(anchors)
            ),
        )
        .unwrap();
    assert_eq!(missing, json!([]), "anchors or links missing");
    assert_eq!(
        browser.eval(&page, "document.querySelectorAll('section.entry[id^=\"action-\"]').length").unwrap(),
        json!(catalog.actions.len())
    );

    // The search: typing narrows the page to what matches.
    let search = r#"(() => {
        const box = document.getElementById('search');
        box.value = 'deactivate user';
        box.dispatchEvent(new Event('input'));
        const visible = [...document.querySelectorAll('section.entry')].filter(s => !s.hidden).map(s => s.id);
        const link = document.querySelector('nav li[data-target="action-users.deactivate"]');
        return {visible, count: document.getElementById('search-count').textContent, link: !link.hidden};
    })()"#;
    let found = browser.eval(&page, search).unwrap();
    let visible: Vec<&str> = found["visible"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(visible.contains(&"action-users.deactivate"), "{found}");
    assert!(!visible.contains(&"action-users.create"), "{found}");
    assert!(visible.len() < 5, "the search narrows the page: {found}");
    assert_eq!(found["link"], true);
    assert!(found["count"].as_str().unwrap().ends_with(if visible.len() == 1 { "match" } else { "matches" }));

    // The page as a person sees it after that search: the action with its hints and scopes.
    let png = browser.screenshot(&page).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    let shot = artefacts_dir().join("docs-page.png");
    std::fs::write(&shot, &png).unwrap();
    eprintln!("screenshot: {}", shot.display());

    let cleared = browser
        .eval(&page, "(() => { const b = document.getElementById('search'); b.value = ''; b.dispatchEvent(new Event('input')); return [...document.querySelectorAll('section.entry')].filter(s => s.hidden).length })()")
        .unwrap();
    assert_eq!(cleared, json!(0), "an empty search shows everything");

    assert_eq!(browser.errors(), Vec::<String>::new(), "console errors");
    // The error capture itself works: a console error now is seen.
    browser.eval(&page, "console.error('probe')").unwrap();
    browser.wait_for("Runtime.consoleAPICalled").unwrap();
    assert!(browser.errors().iter().any(|e| e.contains("probe")), "{:?}", browser.errors());
    let elsewhere: Vec<String> =
        browser.requests().into_iter().filter(|u| !u.starts_with("file://") && !u.starts_with("data:")).collect();
    assert_eq!(elsewhere, Vec::<String>::new(), "the page asked another site");
}
