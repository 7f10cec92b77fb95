// Typeset maths with the KaTeX copy that the site serves itself (hooks/katex.py).
// Markdown pages carry \( \) and \[ \] from pymdownx.arithmatex; notebook pages carry $ and $$.
document$.subscribe(() => {
  renderMathInElement(document.body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    throwOnError: false,
  });
});
