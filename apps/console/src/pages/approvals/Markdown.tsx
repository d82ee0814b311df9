import { useMemo, type ReactNode } from 'react';
import { parseMarkdown, type Block, type Inline } from './markdown';

/**
 * An approval prompt's Markdown as React elements (the subset markdown.ts parses). Never HTML:
 * every string is a text node, and links (http(s) only) open in a new tab without the opener or
 * the referrer.
 */
export function Markdown({ source, className = 'markdown' }: { source: string; className?: string }) {
  const blocks = useMemo(() => parseMarkdown(source), [source]);
  return <div className={className}>{blocks.map(block)}</div>;
}

function block(b: Block, key: number): ReactNode {
  switch (b.type) {
    case 'heading': {
      // Prompt headings sit inside a card: one level below the page's own headings.
      const Tag = `h${Math.min(b.level + 2, 6)}` as 'h3' | 'h4' | 'h5' | 'h6';
      return <Tag key={key}>{inlines(b.children)}</Tag>;
    }
    case 'paragraph':
      return <p key={key}>{inlines(b.children)}</p>;
    case 'code':
      return (
        <pre key={key} data-lang={b.lang}>
          <code>{b.text}</code>
        </pre>
      );
    case 'list': {
      const items = b.items.map((item, i) => <li key={i}>{inlines(item)}</li>);
      return b.ordered ? (
        <ol key={key} start={b.start}>
          {items}
        </ol>
      ) : (
        <ul key={key}>{items}</ul>
      );
    }
  }
}

function inlines(nodes: Inline[]): ReactNode[] {
  return nodes.map((n, i) => {
    switch (n.type) {
      case 'text':
        return n.text;
      case 'strong':
        return <strong key={i}>{inlines(n.children)}</strong>;
      case 'em':
        return <em key={i}>{inlines(n.children)}</em>;
      case 'code':
        return <code key={i}>{n.text}</code>;
      case 'link':
        return (
          <a key={i} href={n.href} target="_blank" rel="noopener noreferrer nofollow">
            {inlines(n.children)}
          </a>
        );
    }
  });
}
