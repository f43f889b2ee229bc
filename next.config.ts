import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";
// Importing the env module validates it when Next builds or starts: a bad env stops here.
import { env } from "./server/env";

const withNextIntl = createNextIntlPlugin("./server/i18n/request.ts");

/**
 * Content-Security-Policy: only this origin's scripts, styles, images and connections; no
 * plugins, no framing, forms and <base> to this origin only. Next.js inlines its bootstrap and
 * RSC payload scripts, so script-src needs 'unsafe-inline' (nonces would make every page
 * dynamic); React style props need it for styles. `next dev` also needs eval and its
 * hot-reload socket.
 */
const development = env.NODE_ENV === "development";
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${development ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  `connect-src 'self'${development ? " ws: wss:" : ""}`,
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const config: NextConfig = {
  reactStrictMode: true,
  // Parallel e2e servers in one checkout build into their own folders (NEXT_DIST_DIR=.next-foo).
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // Server-only packages with native parts or wasm stay outside the bundle.
  serverExternalPackages: ["pg", "@prisma/client", "@prisma/adapter-pg", "bcryptjs", "onnxruntime-node"],
  poweredByHeader: false,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "Content-Security-Policy", value: contentSecurityPolicy },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default withNextIntl(config);
