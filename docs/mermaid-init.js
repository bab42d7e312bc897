// Renders the book's Mermaid diagrams with the mermaid.min.js that docs/build.sh writes
// next to this file from the pinned mdbook-mermaid (nothing is loaded from a CDN).
(() => {
    const darkThemes = ['ayu', 'navy', 'coal'];
    const classes = document.documentElement.classList;
    const dark = darkThemes.some((t) => classes.contains(t));
    mermaid.initialize({ startOnLoad: true, theme: dark ? 'dark' : 'default', securityLevel: 'strict' });
})();
