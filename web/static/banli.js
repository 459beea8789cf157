/* 办理 banli — small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  // GB 11643-1999 resident ID and GB 32100-2015 credit code check characters (mirror states/identity.py).
  var ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], ID_C = "10X98765432";
  var US_C = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  var US_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  function residentIdProblem(v) {
    if (v.length !== 18) return "居民身份证号码应为18位";
    if (!/^[1-9]\d{16}[\dX]$/.test(v)) return "居民身份证号码格式不正确（前17位为数字，末位为数字或X）";
    var y = +v.slice(6, 10), m = +v.slice(10, 12), d = +v.slice(12, 14), dt = new Date(Date.UTC(y, m - 1, d));
    if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return "居民身份证号码中的出生日期无效";
    var s = 0; for (var i = 0; i < 17; i++) s += (+v[i]) * ID_W[i];
    return ID_C[s % 11] === v[17] ? null : "居民身份证号码校验码不正确，请核对";
  }
  function usccProblem(v) {
    if (v.length !== 18) return "统一社会信用代码应为18位";
    if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(v)) return "统一社会信用代码含有无效字符（不使用 I、O、Z、S、V）";
    var s = 0; for (var i = 0; i < 17; i++) s += US_C.indexOf(v[i]) * US_W[i];
    return US_C[(31 - s % 31) % 31] === v[17] ? null : "统一社会信用代码校验码不正确，请核对";
  }
  // Documents still being rendered (生成中): fetch the case page again and replace the list only (never a form
  // the user may be filling in) until nothing is pending.
  function refreshDocuments() {
    var list = document.getElementById("document-list");
    if (!list || !list.getAttribute("data-refresh-url") || !window.fetch || !window.DOMParser) return;
    var url = list.getAttribute("data-refresh-url"), wait = (+list.getAttribute("data-refresh-seconds") || 3) * 1000;
    var tries = 0;
    function poll() {
      if (++tries > 200) return;
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
        if (!html) { setTimeout(poll, wait * 2); return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("document-list");
        if (!fresh) return;
        list.innerHTML = fresh.innerHTML;
        if (fresh.getAttribute("data-refresh-url")) setTimeout(poll, wait); else list.removeAttribute("data-refresh-url");
      }).catch(function () { setTimeout(poll, wait * 2); });
    }
    setTimeout(poll, wait);
  }
  document.addEventListener("DOMContentLoaded", refreshDocuments);
  window.banliIdentity = { residentIdProblem: residentIdProblem, usccProblem: usccProblem };

  function idCheck() {
    var type = document.getElementById("f-id_type"), num = document.getElementById("f-id_number");
    var out = document.getElementById("err-id_number");
    if (!type || !num || !out) return;
    function run() {
      var v = num.value.trim().toUpperCase().replace(/\s/g, ""), msg = null;
      if (v) {
        if (type.value === "resident_id") msg = residentIdProblem(v);
        else if (type.value === "uscc") msg = usccProblem(v);
      }
      out.textContent = msg || "";
      num.closest(".field").classList.toggle("has-error", !!msg);
      num.setAttribute("aria-invalid", msg ? "true" : "false");
    }
    num.addEventListener("blur", run);
    num.addEventListener("input", function () { if (num.value.replace(/\s/g, "").length >= 18) run(); });
    type.addEventListener("change", function () { if (num.value) run(); });
  }

  // Natural person ↔ organisation: keep the annual-report category and the usual document type in step.
  function applicantKind() {
    var kind = document.getElementById("f-applicant_type"), cat = document.getElementById("f-applicant_category");
    var idType = document.getElementById("f-id_type");
    if (!kind || !cat) return;
    kind.addEventListener("change", function () {
      if (kind.value === "natural") {
        cat.value = "natural";
        if (idType && idType.value === "uscc") idType.value = "resident_id";
      } else if (kind.value === "organization") {
        if (cat.value === "natural") cat.value = "";
        if (idType && idType.value === "resident_id") idType.value = "uscc";
      }
      if (idType) idType.dispatchEvent(new Event("change"));
    });
  }

  function decisionPicker() {
    var cat = document.getElementById("f-reply-category"), reason = document.getElementById("f-reply-reason");
    if (!cat || !reason) return;
    function sync() {
      Array.prototype.forEach.call(reason.querySelectorAll("optgroup"), function (g) {
        var show = !cat.value || g.getAttribute("data-category") === cat.value;
        g.hidden = !show; g.disabled = !show;
      });
      var opt = reason.options[reason.selectedIndex];
      if (opt && opt.parentNode.tagName === "OPTGROUP" && opt.parentNode.disabled) reason.value = "";
      var needs = (reason.options[reason.selectedIndex] || {}).getAttribute ?
        (reason.options[reason.selectedIndex].getAttribute("data-required") || "") : "";
      var keys = needs ? needs.split(",") : [];
      Array.prototype.forEach.call(document.querySelectorAll("[data-detail]"), function (el) {
        var on = keys.indexOf(el.getAttribute("data-detail")) >= 0;
        el.hidden = !on && !el.classList.contains("has-error");
      });
      // fields that only some answers have: what is provided (予以公开、部分公开), the third party's objection
      // (not for 无法提供、不予处理), and what is disclosed over it — hidden for the others (issue 20)
      var objection = document.getElementById("f-reply-third_party_objection");
      var shown = {
        "field-reply-documents": !cat.value || ONLY_PROVIDED.indexOf(cat.value) >= 0,
        "field-reply-third_party_objection": !cat.value || ONLY_OBJECTION.indexOf(cat.value) >= 0,
        "field-reply-public_interest_reason": !!objection && objection.value === "disclosed",
        "field-reply-objected_content": !!objection && objection.value === "disclosed"
      };
      Object.keys(shown).forEach(function (id) {
        var el = document.getElementById(id);
        if (el) el.hidden = !shown[id] && !el.classList.contains("has-error");
      });
    }
    var ONLY_PROVIDED = ["disclose", "partial"], ONLY_OBJECTION = ["disclose", "partial", "refuse"];
    var objectionSelect = document.getElementById("f-reply-third_party_objection");
    if (objectionSelect) objectionSelect.addEventListener("change", sync);
    cat.addEventListener("change", sync); reason.addEventListener("change", sync); sync();
  }

  document.addEventListener("submit", function (ev) {
    var f = ev.target, msg = f.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { ev.preventDefault(); return; }
    if (f.hasAttribute("data-download")) return;  // the page stays: keep the button usable
    Array.prototype.forEach.call(f.querySelectorAll("button[type=submit], button:not([type])"), function (b) {
      setTimeout(function () { b.disabled = true; }, 0);  // one registration per click
    });
  });
  document.addEventListener("click", function (ev) {
    var t = ev.target.closest ? ev.target.closest("[data-print]") : null;
    if (t) { ev.preventDefault(); window.print(); }
  });
  // File fields in Chinese whatever the browser's language: the native control (its button and "no file" text
  // come from the browser) is kept, focusable and working, but shown as a 选择文件 button and the chosen names.
  function fileFields() {
    Array.prototype.forEach.call(document.querySelectorAll("input[type=file][id]"), function (input) {
      if (input.getAttribute("data-picker")) return;
      input.setAttribute("data-picker", "1");
      input.classList.add("file-native");
      var pick = document.createElement("label");
      pick.setAttribute("for", input.id);
      pick.className = "btn secondary file-pick";
      pick.textContent = input.multiple ? "选择文件（可多选）" : "选择文件";
      var chosen = document.createElement("span");
      chosen.className = "file-chosen";
      chosen.setAttribute("aria-live", "polite");
      function show() {
        var names = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
        chosen.textContent = names.length ? names.join("、") : "未选择文件";
      }
      show();
      input.addEventListener("change", show);
      input.parentNode.insertBefore(chosen, input.nextSibling);
      input.parentNode.insertBefore(pick, chosen);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { idCheck(); applicantKind(); decisionPicker(); fileFields(); });
})();
/* 机关设置: a document number's example follows its 字头, 样式 and 序号位数 as they are chosen; a 12345 profile's
   source follows the choice. */
(function () {
  "use strict";
  var LAYOUTS = {bracket: function (p, y, s) { return p + "〔" + y + "〕" + s + "号"; },
                 plain: function (p, y, s) { return p + y + s; }, dash: function (p, y, s) { return p + y + "-" + s; }};
  function pad(n, w) { var s = String(n); while (s.length < w) s = "0" + s; return s; }
  function update(set) {
    var out = document.getElementById(set.getAttribute("data-number-preview"));
    var part = function (n) { var el = set.querySelector('[data-part="' + n + '"]'); return el ? el.value : ""; };
    var fn = LAYOUTS[part("layout")];
    if (out && fn) out.textContent = fn(part("prefix"), new Date().getFullYear(), pad(1, +part("width") || 0));
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-number-preview]"), function (set) {
      set.addEventListener("input", function () { update(set); });
      set.addEventListener("change", function () { update(set); });
      update(set);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-basis-target]"), function (sel) {
      sel.addEventListener("change", function () {
        var out = document.getElementById(sel.getAttribute("data-basis-target"));
        var opt = sel.options[sel.selectedIndex], table = document.getElementById("profile-bases");
        var bases = table ? JSON.parse(table.textContent || "{}") : {};
        if (out && opt) out.textContent = opt.getAttribute("data-basis") || bases[sel.value] || "";
      });
    });
  });
})();
