// Names and keyboard access that Material's templates leave out, added once each page is
// shown (axe-core checks them in tests/test_browser.py):
// - the search dialog gets a name;
// - each code block's row of buttons (a <nav>) gets a name of its own;
// - display maths wider than the column scrolls sideways, so it takes the keyboard's focus
//   (tabindex), and only while it is wider: a formula that fits is not a tab stop.
document$.subscribe(() => {
  for (const dialog of document.querySelectorAll('.md-search[role="dialog"]:not([aria-label])')) {
    dialog.setAttribute("aria-label", "Search");
  }
  document.querySelectorAll("article pre ~ nav, article .md-code__nav").forEach((nav, i) => {
    nav.setAttribute("aria-label", `Code block ${i + 1}: actions`);
  });
  const scrolls = () => {
    for (const maths of document.querySelectorAll(".katex-display")) {
      if (maths.scrollWidth > maths.clientWidth + 1) {
        maths.setAttribute("tabindex", "0");
        maths.setAttribute("role", "group");
        maths.setAttribute("aria-label", "Formula, scrolls sideways");
      } else if (maths.getAttribute("tabindex") === "0") {
        maths.removeAttribute("tabindex");
        maths.removeAttribute("role");
        maths.removeAttribute("aria-label");
      }
    }
  };
  scrolls();
  document.fonts.ready.then(scrolls); // KaTeX's fonts widen a formula once they load
  window.addEventListener("resize", scrolls);
});
