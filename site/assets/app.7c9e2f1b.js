// Example single-page app: client-side routes (/, /agents) rendered without a framework. CloudFront answers
// every unknown path with index.html (status 200), so a deep link such as /agents reaches this router.
(function () {
  "use strict";
  var routes = {
    "/": "<h1>Agent platform</h1><p>Served from a private S3 bucket through CloudFront.</p>",
    "/agents": "<h1>Agents</h1><ul><li>pm</li><li>dev</li><li>qa</li><li>ops</li></ul>",
  };
  function render() {
    var view = document.getElementById("view");
    var html = routes[window.location.pathname];
    view.innerHTML = html !== undefined ? html : "<h1>Not found</h1><p>No page at this address.</p>";
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='/']");
    if (!link) return;
    event.preventDefault();
    window.history.pushState({}, "", link.getAttribute("href"));
    render();
  });
  window.addEventListener("popstate", render);
  render();
})();
