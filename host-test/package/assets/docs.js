// The search box: shows the sections whose id, label, texts or inputs contain every word typed.
(function () {
  const box = document.getElementById("search");
  const count = document.getElementById("search-count");
  const none = document.getElementById("no-match");
  const sections = Array.from(document.querySelectorAll("section[data-search]"));
  const links = Array.from(document.querySelectorAll("nav li[data-target]"));
  function apply() {
    const words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const s of sections) {
      const hit = words.every((w) => s.dataset.search.includes(w));
      s.hidden = !hit;
      if (hit) shown += 1;
    }
    for (const li of links) {
      li.hidden = document.getElementById(li.dataset.target).hidden;
    }
    count.textContent = words.length ? shown + (shown === 1 ? " match" : " matches") : "";
    none.hidden = shown > 0;
  }
  box.addEventListener("input", apply);
  const params = new URLSearchParams(location.search);
  if (params.has("q")) {
    box.value = params.get("q");
    apply();
  }
})();
