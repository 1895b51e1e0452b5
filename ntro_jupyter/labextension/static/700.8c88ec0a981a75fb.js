"use strict";(self.rspackChunkntro_jupyter=self.rspackChunkntro_jupyter||[]).push([[700],{646(o,r,t){var n=t(601),e=t.n(n),a=t(314),i=(t.n(a))()(e());i.push([o.id,`/* ntro labextension: inbox sidebar, review panel, snapshot renderer. JupyterLab variables only. */

.ntro-inbox,
.ntro-review,
.ntro-mime {
  font-family: var(--jp-ui-font-family);
  font-size: var(--jp-ui-font-size1);
  color: var(--jp-ui-font-color1);
}

.ntro-inbox {
  display: flex;
  flex-direction: column;
  background: var(--jp-layout-color1);
  min-width: 200px;
}

.ntro-inbox-header,
.ntro-inbox-toolbar,
.ntro-row,
.ntro-review-header {
  display: flex;
  align-items: center;
  gap: 6px;
}

.ntro-inbox-header {
  padding: 8px 10px 4px;
}

.ntro-inbox-header h2 {
  font-size: var(--jp-ui-font-size1);
  font-weight: 600;
  margin: 0;
  text-transform: uppercase;
  letter-spacing: 0.04em;
  white-space: nowrap;
}

.ntro-inbox-toolbar {
  padding: 2px 10px 6px;
  border-bottom: var(--jp-border-width) solid var(--jp-border-color2);
  flex-wrap: wrap;
}

.ntro-spacer {
  flex: 1;
}

.ntro-count {
  min-width: 18px;
  padding: 0 6px;
  border-radius: 9px;
  background: var(--jp-brand-color1);
  color: white;
  font-size: var(--jp-ui-font-size0);
  font-weight: 600;
  line-height: 18px;
  text-align: center;
}

.ntro-count.ntro-count-zero {
  background: var(--jp-layout-color3);
  color: var(--jp-ui-font-color1);
}

.ntro-count.ntro-count-error {
  background: var(--jp-error-color1);
}

.ntro-groupby {
  font-size: var(--jp-ui-font-size1);
  background: var(--jp-layout-color1);
  color: var(--jp-ui-font-color1);
  border: var(--jp-border-width) solid var(--jp-border-color1);
  border-radius: 2px;
}

.ntro-button {
  border: var(--jp-border-width) solid var(--jp-border-color1);
  background: var(--jp-layout-color1);
  color: var(--jp-ui-font-color1);
  border-radius: 3px;
  padding: 3px 10px;
  cursor: pointer;
  font-size: var(--jp-ui-font-size1);
}

.ntro-button:hover:not(:disabled) {
  background: var(--jp-layout-color2);
}

.ntro-button:disabled {
  opacity: 0.5;
  cursor: default;
}

.ntro-button.ntro-primary {
  background: var(--jp-brand-color1);
  border-color: var(--jp-brand-color1);
  color: white;
}

.ntro-button.ntro-primary:hover:not(:disabled) {
  background: var(--jp-brand-color0);
}

.ntro-icon-button {
  padding: 1px 7px;
  font-size: 14px;
}

.ntro-select-all {
  display: flex;
  align-items: center;
  gap: 4px;
  color: var(--jp-ui-font-color2);
}

.ntro-inbox-status {
  padding: 4px 10px;
  font-size: var(--jp-ui-font-size0);
}

.ntro-inbox-status-error {
  padding: 10px;
}

.ntro-inbox-status-error .ntro-row {
  margin-top: 8px;
  flex-wrap: wrap;
}

.ntro-inbox-status-error strong {
  display: block;
  margin-bottom: 4px;
  font-size: var(--jp-ui-font-size1);
}

.ntro-muted {
  color: var(--jp-ui-font-color2);
}

.ntro-error,
.ntro-info,
.ntro-warning {
  border-radius: 3px;
  padding: 6px 8px;
  margin: 4px 0;
  white-space: pre-wrap;
  word-break: break-word;
}

/* Tints mixed into the layout colour, text mixed toward the theme's: readable in light and
   dark themes (the fixed -color3 tints are pale in both, under the dark theme's white text). */
.ntro-error {
  background: color-mix(in srgb, var(--jp-error-color1) 16%, var(--jp-layout-color1));
  color: color-mix(in srgb, var(--jp-error-color1) 45%, var(--jp-ui-font-color1));
  border-left: 3px solid var(--jp-error-color1);
}

.ntro-info {
  background: color-mix(in srgb, var(--jp-info-color1) 16%, var(--jp-layout-color1));
  color: var(--jp-ui-font-color1);
  border-left: 3px solid var(--jp-info-color1);
}

.ntro-warning {
  background: color-mix(in srgb, var(--jp-warn-color1) 18%, var(--jp-layout-color1));
  color: var(--jp-ui-font-color1);
  border-left: 3px solid var(--jp-warn-color1);
}

.ntro-inbox-list {
  flex: 1;
  overflow-y: auto;
}

.ntro-empty {
  padding: 24px 10px;
  text-align: center;
  color: var(--jp-ui-font-color2);
}

.ntro-group-header {
  display: flex;
  align-items: center;
  gap: 6px;
  width: 100%;
  border: none;
  border-bottom: var(--jp-border-width) solid var(--jp-border-color2);
  background: var(--jp-layout-color2);
  padding: 4px 10px;
  cursor: pointer;
  color: var(--jp-ui-font-color1);
  font-size: var(--jp-ui-font-size1);
  text-align: left;
}

/* Names wrap rather than being cut ("invoice-revi…"): the full text is also on hover. */
.ntro-group-name {
  font-weight: 600;
  min-width: 0;
  overflow-wrap: anywhere;
}

.ntro-group-count {
  background: var(--jp-layout-color3);
  border-radius: 8px;
  padding: 0 6px;
  font-size: var(--jp-ui-font-size0);
}

.ntro-group-age {
  margin-left: auto;
  color: var(--jp-ui-font-color2);
  font-size: var(--jp-ui-font-size0);
  white-space: nowrap;
}

.ntro-caret {
  width: 10px;
  color: var(--jp-ui-font-color2);
}

.ntro-item {
  display: flex;
  align-items: center;
  gap: 6px;
  padding: 4px 8px 4px 10px;
  border-bottom: var(--jp-border-width) solid var(--jp-border-color3);
  /* Rows out of view are not laid out or painted: a thousand rows stay cheap. */
  content-visibility: auto;
  contain-intrinsic-size: auto 49px;
}

.ntro-item:hover {
  background: var(--jp-layout-color2);
}

.ntro-item-error {
  border-left: 3px solid var(--jp-error-color1);
}

.ntro-item-main {
  flex: 1;
  min-width: 0;
  display: flex;
  flex-direction: column;
  align-items: flex-start;
  border: none;
  background: transparent;
  padding: 0;
  cursor: pointer;
  text-align: left;
  color: var(--jp-ui-font-color1);
  font-size: var(--jp-ui-font-size1);
}

.ntro-item-title,
.ntro-item-meta,
.ntro-item-id {
  max-width: 100%;
  overflow-wrap: anywhere;
}

.ntro-item-marks {
  display: flex;
  flex-wrap: wrap;
  gap: 2px 8px;
  font-size: var(--jp-ui-font-size0);
}

.ntro-amount {
  font-weight: 600;
  font-variant-numeric: tabular-nums;
}

/* Mixed toward the theme's text colour: readable on the light and the dark layout alike. */
.ntro-warn-count {
  color: color-mix(in srgb, var(--jp-warn-color0) 75%, var(--jp-ui-font-color1));
  font-weight: 600;
}

.ntro-worker-down {
  color: color-mix(in srgb, var(--jp-error-color1) 65%, var(--jp-ui-font-color1));
  font-weight: 600;
}

.ntro-due {
  color: var(--jp-ui-font-color2);
}

.ntro-item-flagged {
  border-left: 3px solid var(--jp-warn-color1);
}

.ntro-confirm ul {
  max-height: 40vh;
  overflow: auto;
  padding-left: 18px;
}

.ntro-confirm li {
  overflow-wrap: anywhere;
  margin: 2px 0;
}

.ntro-item-line {
  display: flex;
  align-items: baseline;
  gap: 6px;
  width: 100%;
}

.ntro-item-title {
  flex: 1;
  min-width: 0;
  font-weight: 500;
}

.ntro-item-meta {
  color: var(--jp-ui-font-color2);
  font-size: var(--jp-ui-font-size0);
}

.ntro-item-id {
  color: var(--jp-ui-font-color3);
  font-family: var(--jp-code-font-family);
  font-size: var(--jp-ui-font-size0);
}

.ntro-item-main:hover .ntro-item-title {
  color: var(--jp-brand-color1);
  text-decoration: underline;
}

.ntro-age {
  color: var(--jp-ui-font-color2);
  font-size: var(--jp-ui-font-size0);
  white-space: nowrap;
}

.ntro-attach {
  padding: 0 4px;
  font-family: var(--jp-code-font-family);
  font-size: 10px;
  opacity: 0.55;
}

.ntro-item:hover .ntro-attach {
  opacity: 1;
}

/* Badges on the sidebar tab: reviews waiting at the top, unread notifications at the foot of
   the icon (::after of the tab itself is taken by JupyterLab's own tab styling). */
.lm-TabBar-tab[data-ntro-count],
.lm-TabBar-tab[data-ntro-unread] {
  position: relative;
  overflow: visible;
}

.lm-TabBar-tab[data-ntro-count]::before,
.lm-TabBar-tabIcon[data-ntro-unread]::after {
  position: absolute;
  right: 2px;
  z-index: 2;
  min-width: 10px;
  padding: 0 3px;
  border-radius: 7px;
  color: white;
  box-shadow: 0 0 0 1px var(--jp-layout-color1);
  font-family: var(--jp-ui-font-family);
  font-size: 9px;
  line-height: 13px;
  font-weight: 600;
  text-align: center;
  pointer-events: none;
}

.lm-TabBar-tab[data-ntro-count]::before {
  content: attr(data-ntro-count);
  /* No alt text: the tab's name is its caption ("Runbook inbox, 3 reviews waiting"). */
  content: attr(data-ntro-count) / '';
  top: 3px;
  background: var(--jp-brand-color1);
}

/* Review panel (main area) */
.ntro-review {
  padding: 12px 18px;
  overflow: auto;
  background: var(--jp-layout-color0);
}

.ntro-review-header h2 {
  margin: 0;
  font-size: var(--jp-ui-font-size3);
}

.ntro-review-id {
  font-family: var(--jp-code-font-family);
}

.ntro-review-panel {
  border: var(--jp-border-width) solid var(--jp-border-color2);
  border-radius: 4px;
  padding: 10px 12px;
  margin: 10px 0;
  background: var(--jp-layout-color1);
}

.ntro-review-panel h3 {
  margin: 0 0 4px;
  font-size: var(--jp-ui-font-size2);
}

.ntro-review-table {
  overflow-x: auto;
  margin: 8px 0;
}

.ntro-table {
  border-collapse: collapse;
  font-size: var(--jp-ui-font-size1);
}

.ntro-table th,
.ntro-table td {
  border: var(--jp-border-width) solid var(--jp-border-color2);
  padding: 3px 8px;
  text-align: left;
  white-space: nowrap;
}

.ntro-table th {
  background: var(--jp-layout-color2);
  font-weight: 600;
}

.ntro-table .ntro-col-number,
.ntro-table .ntro-col-currency {
  text-align: right;
  font-variant-numeric: tabular-nums;
}

.ntro-table td.ntro-editable {
  cursor: text;
}

.ntro-table td.ntro-edited {
  background: var(--jp-warn-color3);
}

.ntro-cell-input {
  width: 100%;
  min-width: 60px;
  font: inherit;
}

.ntro-comment {
  width: 100%;
  box-sizing: border-box;
  margin: 8px 0 4px;
  font: inherit;
  background: var(--jp-layout-color0);
  color: var(--jp-ui-font-color1);
  border: var(--jp-border-width) solid var(--jp-border-color1);
}

.ntro-fields {
  display: grid;
  grid-template-columns: max-content 1fr;
  gap: 2px 12px;
}

.ntro-fields dt {
  color: var(--jp-ui-font-color2);
}

.ntro-fields dd {
  margin: 0;
  word-break: break-word;
}

/* Breadcrumb, history, snapshot (shared) */
.ntro-crumbs {
  display: flex;
  flex-wrap: wrap;
  gap: 4px;
  list-style: none;
  padding: 0;
  margin: 8px 0;
}

.ntro-crumb {
  display: flex;
  align-items: center;
  gap: 5px;
  padding: 3px 10px;
  border-radius: 12px;
  border: var(--jp-border-width) solid var(--jp-border-color2);
  background: var(--jp-layout-color1);
}

.ntro-crumb-sep {
  display: flex;
  align-items: center;
  color: var(--jp-ui-font-color3);
}

.ntro-crumb-status {
  color: var(--jp-ui-font-color2);
  font-size: var(--jp-ui-font-size0);
}

.ntro-crumb-completed .ntro-crumb-mark {
  color: var(--jp-success-color1);
}

.ntro-crumb-failed .ntro-crumb-mark {
  color: var(--jp-error-color1);
}

.ntro-crumb-waiting {
  border-color: var(--jp-warn-color1);
  background: var(--jp-warn-color3);
}

.ntro-crumb-current .ntro-crumb-title {
  font-weight: 600;
}

.ntro-crumb-child {
  font-size: var(--jp-ui-font-size0);
  color: var(--jp-ui-font-color2);
  border-left: var(--jp-border-width) solid var(--jp-border-color2);
  padding-left: 5px;
}

.ntro-history h4,
.ntro-decisions h4 {
  margin: 12px 0 4px;
  font-size: var(--jp-ui-font-size1);
  text-transform: uppercase;
  letter-spacing: 0.04em;
  color: var(--jp-ui-font-color2);
}

.ntro-history ul,
.ntro-corrections {
  margin: 0;
  padding-left: 18px;
}

.ntro-history li {
  margin: 2px 0;
}

.ntro-history-at {
  color: var(--jp-ui-font-color2);
  margin-right: 8px;
  font-variant-numeric: tabular-nums;
}

.ntro-history-refused .ntro-history-text {
  color: var(--jp-error-color1);
}

.ntro-snapshot {
  padding: 8px 10px;
  border: var(--jp-border-width) solid var(--jp-border-color2);
  border-radius: 4px;
  background: var(--jp-layout-color1);
}

.ntro-snapshot-header {
  display: flex;
  align-items: center;
  gap: 8px;
}

.ntro-snapshot-title {
  font-weight: 600;
  font-size: var(--jp-ui-font-size2);
}

.ntro-snapshot-id {
  font-family: var(--jp-code-font-family);
  font-size: var(--jp-ui-font-size0);
}

.ntro-snapshot-note {
  font-size: var(--jp-ui-font-size0);
  margin-top: 2px;
}

.ntro-pill {
  border-radius: 9px;
  padding: 0 8px;
  font-size: var(--jp-ui-font-size0);
  line-height: 18px;
  background: var(--jp-layout-color3);
}

.ntro-pill-completed {
  background: var(--jp-success-color3);
  color: var(--jp-success-color0);
}

.ntro-pill-failed {
  background: var(--jp-error-color3);
  color: var(--jp-error-color0);
}

.ntro-pill-running {
  background: var(--jp-info-color3);
  color: var(--jp-info-color0);
}

.ntro-pending {
  margin: 6px 0;
  padding: 4px 8px;
  border-left: 3px solid var(--jp-warn-color1);
  background: var(--jp-warn-color3);
}

.ntro-decision {
  margin: 3px 0;
}

.ntro-decision-approve .ntro-decision-verb,
.ntro-decision-correct .ntro-decision-verb {
  color: var(--jp-success-color0);
}

.ntro-decision-reject .ntro-decision-verb {
  color: var(--jp-error-color0);
}

.ntro-decision-comment {
  color: var(--jp-ui-font-color2);
  margin-left: 12px;
}

.ntro-confirm ul {
  padding-left: 18px;
  max-height: 200px;
  overflow: auto;
}

/* Approve says what it commits: the summary shown before Confirm (review panel). */
.ntro-approve-summary {
  margin: 8px 0;
  padding: 8px 12px;
  border: var(--jp-border-width) solid var(--jp-brand-color1);
  border-left-width: 4px;
  border-radius: 4px;
  background: var(--jp-layout-color1);
}

.ntro-approve-summary:focus {
  outline: 2px solid var(--jp-brand-color1);
  outline-offset: 2px;
}

.ntro-approve-summary ul {
  margin: 4px 0;
  padding-left: 18px;
}

/* The unread-notifications badge, drawn on the tab's icon (shared rules above). */
.lm-TabBar-tabIcon[data-ntro-unread]::after {
  content: attr(data-ntro-unread);
  /* No alt text: the tab's name says "N unread notifications". */
  content: attr(data-ntro-unread) / '';
  bottom: 3px;
  background: var(--jp-warn-color1);
}

/* The notifications strip above the reviews. */
.ntro-notes {
  border-bottom: var(--jp-border-width) solid var(--jp-border-color2);
  padding: 4px 0 6px;
}

.ntro-notes-header {
  display: flex;
  align-items: center;
  flex-wrap: wrap;
  gap: 2px 6px;
  padding: 2px 10px;
}

.ntro-notes-header h3 {
  margin: 0;
  font-size: var(--jp-ui-font-size0);
  font-weight: 600;
  text-transform: uppercase;
  letter-spacing: 0.04em;
  color: var(--jp-ui-font-color2);
}

.ntro-notes-unread,
.ntro-notes-header .ntro-link-button {
  white-space: nowrap;
}

.ntro-notes-unread {
  color: var(--jp-warn-color0);
  font-size: var(--jp-ui-font-size0);
  font-weight: 600;
}

.ntro-notes-list {
  max-height: 220px;
  overflow-y: auto;
}

.ntro-note {
  display: flex;
  align-items: flex-start;
  gap: 4px;
  padding: 4px 6px 4px 10px;
  border-left: 3px solid transparent;
}

.ntro-note.ntro-note-unread {
  border-left-color: var(--jp-warn-color1);
  background: var(--jp-layout-color2);
}

.ntro-note-main {
  display: flex;
  flex-direction: column;
  flex: 1;
  min-width: 0;
  gap: 1px;
}

.ntro-note-type {
  flex: 1;
  font-weight: 600;
  overflow-wrap: anywhere;
}

.ntro-note-unread .ntro-note-type::before {
  content: '● ';
  content: '● ' / '';
  color: var(--jp-warn-color1);
}

.ntro-note-data {
  font-family: var(--jp-code-font-family);
  font-size: var(--jp-ui-font-size0);
  overflow-wrap: anywhere;
}

.ntro-link-button {
  align-self: flex-start;
  padding: 0;
  border: none;
  background: none;
  color: var(--jp-content-link-color);
  font-size: var(--jp-ui-font-size0);
  cursor: pointer;
  text-align: left;
  overflow-wrap: anywhere;
}

.ntro-link-button:hover:not(:disabled) {
  text-decoration: underline;
}

.ntro-link-button:disabled {
  color: var(--jp-ui-font-color3);
  cursor: default;
}

.ntro-note-dismiss {
  flex: none;
}
`,""]),t.d(r,{},{A:i})},314(o){o.exports=function(o){var r=[];return r.toString=function(){return this.map(function(r){var t="",n=void 0!==r[5];return r[4]&&(t+="@supports (".concat(r[4],") {")),r[2]&&(t+="@media ".concat(r[2]," {")),n&&(t+="@layer".concat(r[5].length>0?" ".concat(r[5]):""," {")),t+=o(r),n&&(t+="}"),r[2]&&(t+="}"),r[4]&&(t+="}"),t}).join("")},r.i=function(o,t,n,e,a){"string"==typeof o&&(o=[[null,o,void 0]]);var i={};if(n)for(var p=0;p<this.length;p++){var l=this[p][0];null!=l&&(i[l]=!0)}for(var c=0;c<o.length;c++){var d=[].concat(o[c]);n&&i[d[0]]||(void 0!==a&&(void 0===d[5]||(d[1]="@layer".concat(d[5].length>0?" ".concat(d[5]):""," {").concat(d[1],"}")),d[5]=a),t&&(d[2]&&(d[1]="@media ".concat(d[2]," {").concat(d[1],"}")),d[2]=t),e&&(d[4]?(d[1]="@supports (".concat(d[4],") {").concat(d[1],"}"),d[4]=e):d[4]="".concat(e)),r.push(d))}},r}},601(o){o.exports=function(o){return o[1]}},72(o){var r=[];function t(o){for(var t=-1,n=0;n<r.length;n++)if(r[n].identifier===o){t=n;break}return t}function n(o,n){for(var e={},a=[],i=0;i<o.length;i++){var p=o[i],l=n.base?p[0]+n.base:p[0],c=e[l]||0,d="".concat(l," ").concat(c);e[l]=c+1;var s=t(d),u={css:p[1],media:p[2],sourceMap:p[3],supports:p[4],layer:p[5]};if(-1!==s)r[s].references++,r[s].updater(u);else{var f=function(o,r){var t=r.domAPI(r);return t.update(o),function(r){r?(r.css!==o.css||r.media!==o.media||r.sourceMap!==o.sourceMap||r.supports!==o.supports||r.layer!==o.layer)&&t.update(o=r):t.remove()}}(u,n);n.byIndex=i,r.splice(i,0,{identifier:d,updater:f,references:1})}a.push(d)}return a}o.exports=function(o,e){var a=n(o=o||[],e=e||{});return function(o){o=o||[];for(var i=0;i<a.length;i++){var p=t(a[i]);r[p].references--}for(var l=n(o,e),c=0;c<a.length;c++){var d=t(a[c]);0===r[d].references&&(r[d].updater(),r.splice(d,1))}a=l}}},659(o){var r={};o.exports=function(o,t){var n=function(o){if(void 0===r[o]){var t=document.querySelector(o);if(window.HTMLIFrameElement&&t instanceof window.HTMLIFrameElement)try{t=t.contentDocument.head}catch(o){t=null}r[o]=t}return r[o]}(o);if(!n)throw Error("Couldn't find a style target. This probably means that the value for the 'insert' parameter is invalid.");n.appendChild(t)}},540(o){o.exports=function(o){var r=document.createElement("style");return o.setAttributes(r,o.attributes),o.insert(r,o.options),r}},56(o,r,t){o.exports=function(o){var r=t.nc;r&&o.setAttribute("nonce",r)}},825(o){o.exports=function(o){if("u"<typeof document)return{update:function(){},remove:function(){}};var r=o.insertStyleElement(o);return{update:function(t){var n,e,a;n="",t.supports&&(n+="@supports (".concat(t.supports,") {")),t.media&&(n+="@media ".concat(t.media," {")),(e=void 0!==t.layer)&&(n+="@layer".concat(t.layer.length>0?" ".concat(t.layer):""," {")),n+=t.css,e&&(n+="}"),t.media&&(n+="}"),t.supports&&(n+="}"),(a=t.sourceMap)&&"u">typeof btoa&&(n+="\n/*# sourceMappingURL=data:application/json;base64,".concat(btoa(unescape(encodeURIComponent(JSON.stringify(a))))," */")),o.styleTagTransform(n,r,o.options)},remove:function(){var o;null===(o=r).parentNode||o.parentNode.removeChild(o)}}}},113(o){o.exports=function(o,r){if(r.styleSheet)r.styleSheet.cssText=o;else{for(;r.firstChild;)r.removeChild(r.firstChild);r.appendChild(document.createTextNode(o))}}},959(o,r,t){var n=t(72),e=t.n(n),a=t(825),i=t.n(a),p=t(659),l=t.n(p),c=t(56),d=t.n(c),s=t(540),u=t.n(s),f=t(113),v=t.n(f),b=t(646),x={};x.styleTagTransform=v(),x.setAttributes=d(),x.insert=l().bind(null,"head"),x.domAPI=i(),x.insertStyleElement=u(),e()(b.A,x),b.A&&b.A.locals&&b.A.locals}}]);