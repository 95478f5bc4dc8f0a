import { html, trusted } from './html';

describe('html', () => {
  it('escapes every interpolated value, so data only ever becomes text', () => {
    const name = `<script>alert("x")</script>' onmouseover='x`;
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x</p>',
    );
  });

  it('nests markup, joins lists and renders nothing for null, undefined and false', () => {
    const items = ['a&b', 'c'].map((i) => html`<li>${i}</li>`);
    // The exact whitespace is what is tested: prettier would indent the markup.
    // prettier-ignore
    const markup = html`<ul>${items}</ul>${null}${undefined}${false}${0}${trusted('<hr>')}`;
    expect(markup.value).toBe('<ul><li>a&amp;b</li><li>c</li></ul>0<hr>');
  });
});
