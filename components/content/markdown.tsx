import type { ComponentProps } from "react";
import ReactMarkdown, { type Components } from "react-markdown";

/*
 * Markdown as the shop renders it (lessons, members' posts, the admin's preview): CommonMark
 * through react-markdown, with raw HTML never rendered (react-markdown drops it unless told
 * otherwise; `skipHtml` says so explicitly) and link targets passed through its URL filter
 * (no `javascript:`). Plain component: works in server pages and in the editor's client preview.
 */

const link = ({ node: _node, ...props }: ComponentProps<"a"> & { node?: unknown }) => (
  <a {...props} rel="noopener noreferrer nofollow" className="text-brand-600 underline" />
);

const COMPONENTS: Components = {
  a: link,
  h1: ({ node: _node, ...props }) => <h1 {...props} className="mt-6 text-2xl font-bold" />,
  h2: ({ node: _node, ...props }) => <h2 {...props} className="mt-5 text-xl font-semibold" />,
  h3: ({ node: _node, ...props }) => <h3 {...props} className="mt-4 text-lg font-semibold" />,
  p: ({ node: _node, ...props }) => <p {...props} className="my-3 leading-7" />,
  ul: ({ node: _node, ...props }) => <ul {...props} className="my-3 list-disc space-y-1 pl-6" />,
  ol: ({ node: _node, ...props }) => <ol {...props} className="my-3 list-decimal space-y-1 pl-6" />,
  blockquote: ({ node: _node, ...props }) => (
    <blockquote {...props} className="my-3 border-l-4 border-stone-300 pl-4 text-stone-600" />
  ),
  code: ({ node: _node, ...props }) => (
    <code {...props} className="rounded bg-stone-100 px-1 py-0.5 font-mono text-sm" />
  ),
  pre: ({ node: _node, ...props }) => (
    <pre {...props} className="my-3 overflow-x-auto rounded-lg bg-stone-100 p-3 text-sm" />
  ),
  hr: ({ node: _node, ...props }) => <hr {...props} className="my-6 border-stone-200" />,
  img: ({ node: _node, alt, src }) => (
    // Images hosted elsewhere are not loaded (the CSP allows the shop's own only): a link instead.
    <a href={typeof src === "string" ? src : undefined} className="text-brand-600 underline">
      {alt || (typeof src === "string" ? src : "")}
    </a>
  ),
};

export function Markdown({ source, className = "" }: { source: string; className?: string }) {
  return (
    <div className={`break-words text-stone-800 ${className}`} data-testid="markdown">
      <ReactMarkdown skipHtml components={COMPONENTS}>
        {source}
      </ReactMarkdown>
    </div>
  );
}
