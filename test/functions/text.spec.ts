import { strict as assert } from "node:assert";
import { decodeText } from "../../functions/process/text/decode";
import {
  binarySignature,
  declaredCharset,
  declaredFormat,
  htmlMetaCharset,
  sniffFormat,
} from "../../functions/process/text/detect";
import { cleanPlainText, normalizeBlock } from "../../functions/process/text/document";
import { decodeEntities } from "../../functions/process/text/entities";
import { extractText } from "../../functions/process/text/extract";
import { cleanHtml } from "../../functions/process/text/html";
import { cleanMarkdown } from "../../functions/process/text/markdown";
import {
  cleanCsv,
  cleanJson,
  cleanNdjson,
  MalformedDataError,
} from "../../functions/process/text/structured";

const utf16le = (text: string) => Buffer.from(text, "utf16le");
const utf16be = (text: string) => Buffer.from(text, "utf16le").swap16();

describe("functions/process/text", () => {
  describe("decodeText", () => {
    it("honours byte order marks for UTF-8, UTF-16LE and UTF-16BE and strips them", () => {
      // Prepare
      const text = "Grüße — 日本";
      const inputs = {
        "utf-8": Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
        "utf-16le": Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le(text)]),
        "utf-16be": Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text)]),
      };
      for (const [encoding, bytes] of Object.entries(inputs)) {
        // Act
        const decoded = decodeText(bytes);
        // Assess
        assert.deepEqual(decoded, { ok: true, text, encoding, fallback: false }, encoding);
      }
    });

    it("recognises UTF-16 without a byte order mark by its zero bytes", () => {
      // Prepare
      const text = "Plain ASCII text stored as UTF-16, as Windows tools write it.";
      // Act
      const le = decodeText(utf16le(text));
      const be = decodeText(utf16be(text));
      // Assess
      assert.deepEqual(le, { ok: true, text, encoding: "utf-16le", fallback: false });
      assert.deepEqual(be, { ok: true, text, encoding: "utf-16be", fallback: false });
    });

    it("uses a declared charset when the bytes are not UTF-8, and Windows-1252 as a reported fallback", () => {
      // Prepare
      const latin1 = Buffer.from("café naïve", "latin1");
      const shiftJis = Buffer.from([0x93, 0xfa, 0x96, 0x7b]); // 日本 in Shift_JIS
      // Act
      const fallback = decodeText(latin1);
      const declared = decodeText(shiftJis, "Shift_JIS");
      // Assess
      assert.deepEqual(fallback, { ok: true, text: "café naïve", encoding: "windows-1252", fallback: true });
      assert.deepEqual(declared, { ok: true, text: "日本", encoding: "shift_jis", fallback: false });
    });

    it("prefers valid UTF-8 over a wrong declaration", () => {
      // Prepare
      const bytes = Buffer.from("naïve");
      // Act
      const decoded = decodeText(bytes, "iso-8859-1");
      // Assess
      assert.deepEqual(decoded, { ok: true, text: "naïve", encoding: "utf-8", fallback: false });
    });

    it("refuses binary data, UTF-32 and broken UTF-16 with a reason", () => {
      // Prepare
      const cases: [string, Buffer, string][] = [
        [
          "zero bytes",
          Buffer.from([0x41, 0x00, 0x00, 0x00, 0x42, 0x43, 0x00, 0x44, 0x00, 0x00]),
          "binary-content",
        ],
        ["control characters", Buffer.from("\u0001\u0002\u0003\u0004 text \u0005\u0006"), "binary-content"],
        ["UTF-32 BOM", Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x41, 0x00, 0x00, 0x00]), "undecodable-text"],
        ["lone surrogate in UTF-16", Buffer.from([0xff, 0xfe, 0x00, 0xd8, 0x41, 0x00]), "undecodable-text"],
      ];
      for (const [name, bytes, reason] of cases) {
        // Act
        const decoded = decodeText(bytes);
        // Assess
        assert.equal(decoded.ok, false, name);
        if (!decoded.ok) {
          assert.equal(decoded.reason, reason, name);
          assert.ok(decoded.detail.length > 0, name);
        }
      }
    });
  });

  describe("format detection", () => {
    it("reads the format from the extension first, then the content type", () => {
      assert.equal(declaredFormat("a/b/Guide.MD", "application/octet-stream"), "markdown");
      assert.equal(declaredFormat("a/page.htm", undefined), "html");
      assert.equal(declaredFormat("data/rows.tsv", undefined), "tsv");
      assert.equal(declaredFormat("data/events.ndjson", undefined), "ndjson");
      assert.equal(declaredFormat("no-extension", "text/csv; charset=utf-8"), "csv");
      assert.equal(declaredFormat("no-extension", "binary/octet-stream"), undefined);
      assert.equal(declaredFormat(".hidden", undefined), undefined);
    });

    it("finds charsets in content types and HTML meta tags", () => {
      assert.equal(declaredCharset('text/html; charset="ISO-8859-1"'), "ISO-8859-1");
      assert.equal(declaredCharset("text/plain"), undefined);
      assert.equal(htmlMetaCharset(Buffer.from('<html><head><meta charset="windows-1251">')), "windows-1251");
      assert.equal(
        htmlMetaCharset(Buffer.from('<meta http-equiv="Content-Type" content="text/html; charset=euc-jp">')),
        "euc-jp",
      );
    });

    it("recognises binary formats by their first bytes", () => {
      assert.equal(binarySignature(Buffer.from("%PDF-1.7\n")), "PDF");
      assert.equal(binarySignature(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d])), "PNG image");
      assert.match(binarySignature(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14])) ?? "", /ZIP/);
      assert.equal(binarySignature(Buffer.from("plain text")), undefined);
    });

    it("sniffs HTML and JSON in text that declared nothing", () => {
      assert.equal(sniffFormat("  <!DOCTYPE html><html></html>"), "html");
      assert.equal(sniffFormat('{"a": 1}'), "json");
      assert.equal(sniffFormat("{not json"), "text");
      assert.equal(sniffFormat("# Title\n\ntext"), "text");
    });
  });

  describe("normalisation", () => {
    it("collapses horizontal whitespace, trims lines and removes control and zero-width characters", () => {
      assert.equal(normalizeBlock("  a\t\u00a0 b \u200b\n\n  c\u0007 "), "a b\nc");
      assert.deepEqual(
        cleanPlainText("First  para\nline two\n \nSecond\u3000para").text,
        "First para\nline two\n\nSecond para",
      );
    });

    it("decodes HTML character references", () => {
      assert.equal(
        decodeEntities("&lt;a&gt; &amp;amp; &eacute;&Ouml;&ntilde; &#233;&#x1F600; &bogus; &#0;"),
        "<a> &amp; éÖñ é😀 &bogus; \ufffd",
      );
    });
  });

  describe("cleanMarkdown", () => {
    it("keeps headings, paragraphs, list items and code, and drops markup and boilerplate", () => {
      // Prepare
      const source = [
        "---",
        "title: Front Matter Title",
        "tags: [a, b]",
        "---",
        "[![npm](https://img.shields.io/npm/v/x.svg)](https://npmjs.com/x) ![build](https://ci/badge.svg)",
        "",
        "# The *Guide*",
        "",
        'Some **bold** and _emphasis_ text with a [link](https://example.com "t") and `code_span`,',
        "continued on a second line. snake_case_name stays.",
        "<!-- a comment",
        "over lines -->",
        "",
        "Setext Heading",
        "--------------",
        "",
        "- first item",
        "* [x] second item",
        "1. third item",
        "",
        "> quoted <b>text</b>",
        "",
        "| Name | Value |",
        "|------|:-----:|",
        "| a    | 1     |",
        "",
        "```js",
        "const x = a * b * c;",
        "```",
        "***",
        "[ref]: https://example.com",
        "![architecture diagram](docs/arch.png)",
      ].join("\n");
      // Act
      const doc = cleanMarkdown(source);
      // Assess
      assert.equal(doc.title, "Front Matter Title");
      assert.equal(
        doc.text,
        [
          "The Guide",
          "Some bold and emphasis text with a link and code_span, continued on a second line. snake_case_name stays.",
          "Setext Heading",
          "first item\nsecond item\nthird item",
          "quoted text",
          "Name | Value\na | 1",
          "const x = a * b * c;",
          "architecture diagram",
        ].join("\n\n"),
      );
      assert.deepEqual(
        doc.headings.map((h) => [h.level, h.title, doc.text.slice(h.start, h.start + h.title.length)]),
        [
          [1, "The Guide", "The Guide"],
          [2, "Setext Heading", "Setext Heading"],
        ],
      );
    });

    it("uses the first H1 as title when there is no front matter", () => {
      assert.equal(cleanMarkdown("Intro\n\n## Two\n\n# One\n").title, "One");
    });
  });

  describe("cleanHtml", () => {
    it("keeps the <main> content, drops navigation, scripts, styles and hidden elements", () => {
      // Prepare
      const html = `<!doctype html><html><head><title>Page &amp; Title</title>
<style>p { color: red }</style><script>if (a < b && c > d) { document.write("<p>x</p>") }</script></head>
<body><header><nav><a href="/">Home</a> | <a href="/about">About</a></nav></header>
<main><header><h1>Hello <em>world</em></h1></header>
<p>First   paragraph,
 wrapped.<br>New line&nbsp;here.</p>
<div hidden>hidden text</div><div aria-hidden="true">also hidden</div>
<ul><li>one</li><li>two</li></ul>
<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>
<pre>line 1
  line 2</pre>
<h2>Section</h2><p>Body.</p>
<aside>Related links</aside><!-- comment --><form><input name="q"><button>Go</button></form>
</main><footer>© 2025</footer></body></html>`;
      // Act
      const doc = cleanHtml(html);
      // Assess
      assert.equal(doc.title, "Page & Title");
      assert.equal(
        doc.text,
        [
          "Hello world",
          "First paragraph, wrapped.\nNew line here.",
          "one\ntwo",
          "a | b\n1 | 2",
          "line 1\nline 2",
          "Section",
          "Body.",
        ].join("\n\n"),
      );
      assert.deepEqual(
        doc.headings.map((h) => [h.level, h.title]),
        [
          [1, "Hello world"],
          [2, "Section"],
        ],
      );
    });

    it("without <main> or <article>, keeps the body minus its header, footer and navigation", () => {
      // Prepare
      const html = `<body><div role="navigation">Menu</div><header>Site banner</header><h1>Title</h1><p>Text.</p><footer>Footer</footer></body>`;
      // Act
      const doc = cleanHtml(html);
      // Assess
      assert.equal(doc.text, "Title\n\nText.");
      assert.equal(doc.title, "Title");
    });

    it("recovers from an unclosed boilerplate element at the end of its container", () => {
      const doc = cleanHtml("<article><nav>menu <p>never closed</article><article><p>Kept.</p></article>");
      assert.equal(doc.text, "Kept.");
    });
  });

  describe("structured data", () => {
    it("flattens JSON into path: value lines, one block per top-level entry", () => {
      // Prepare
      const json = JSON.stringify({
        title: "Catalog",
        version: 2,
        items: [
          { name: "Widget", tags: ["a", "b"] },
          { name: "Gadget", note: null },
        ],
      });
      // Act
      const doc = cleanJson(json);
      // Assess
      assert.equal(doc.title, "Catalog");
      assert.equal(
        doc.text,
        "title: Catalog\nversion: 2\n\nitems[0].name: Widget\nitems[0].tags[0]: a\nitems[0].tags[1]: b\nitems[1].name: Gadget",
      );
    });

    it("handles deeply nested JSON without overflowing the stack", () => {
      const deep = `${"[".repeat(5000)}"bottom"${"]".repeat(5000)}`;
      assert.match(cleanJson(deep).text, /bottom$/);
    });

    it("reads NDJSON line by line and names the bad line", () => {
      assert.equal(cleanNdjson('{"name":"a","n":1}\n\n{"name":"b"}\n').text, "name: a\nn: 1\n\nname: b");
      assert.throws(
        () => cleanNdjson('{"ok":1}\n{broken\n'),
        (e: unknown) => e instanceof MalformedDataError && /line 2/.test((e as Error).message),
      );
      assert.throws(() => cleanJson("{"), MalformedDataError);
    });

    it("reads CSV with quoting, guesses the delimiter and labels values with the header", () => {
      // Prepare
      const csv = 'name;city;note\r\n"Doe; Jane";Paris;"said ""hi""\nthere"\nBob;;\n';
      // Act
      const doc = cleanCsv(csv.replace(/\r\n/g, "\n"));
      // Assess
      assert.equal(doc.text, 'name: Doe; Jane; city: Paris; note: said "hi" there\nname: Bob');
      assert.equal(cleanCsv("a\tb\n1\t2\n", "\t").text, "a: 1; b: 2");
    });
  });

  describe("extractText", () => {
    it("turns bytes into a cleaned document with its format and encoding", () => {
      // Prepare
      const bytes = Buffer.from("# Título\n\nTexto en *español*.", "latin1");
      // Act
      const result = extractText(bytes, "docs/guía.md", "text/markdown");
      // Assess
      assert.equal(result.ok, true);
      if (result.ok) {
        assert.equal(result.format, "markdown");
        assert.equal(result.encoding, "windows-1252");
        assert.equal(result.fallback, true);
        assert.equal(result.document.text, "Título\n\nTexto en español.");
      }
    });

    it("sniffs the format of objects without extension or useful content type", () => {
      const result = extractText(
        Buffer.from("<html><body><p>Hi</p></body></html>"),
        "upload-123",
        "binary/octet-stream",
      );
      assert.ok(result.ok && result.format === "html" && result.document.text === "Hi");
    });

    it("gives a reason for every input it cannot use", () => {
      const cases: [string, Buffer, string, string][] = [
        ["empty", Buffer.alloc(0), "a.txt", "empty-object"],
        ["pdf", Buffer.from("%PDF-1.4\n%âãÏÓ\n"), "a.pdf", "unsupported-format"],
        ["png named .txt", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]), "a.txt", "binary-content"],
        ["binary", Buffer.from([1, 2, 0, 4, 5, 0, 0, 0]), "a.txt", "binary-content"],
        ["bad json", Buffer.from('{"a": '), "a.json", "malformed-document"],
        ["markup only", Buffer.from("<html><script>x()</script><nav>menu</nav></html>"), "a.html", "no-text"],
        ["whitespace only", Buffer.from(" \n\t \n"), "a.txt", "no-text"],
        ["UTF-32", Buffer.from([0, 0, 0xfe, 0xff, 0, 0, 0, 0x41]), "a.txt", "undecodable-text"],
      ];
      for (const [name, bytes, key, reason] of cases) {
        const result = extractText(bytes, key, undefined);
        assert.ok(!result.ok, name);
        if (!result.ok) assert.equal(result.reason, reason, name);
      }
    });
  });
});
