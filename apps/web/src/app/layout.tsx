import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Providers } from "~/lib/trpc";
import "./globals.css";

export const metadata: Metadata = { title: "Docgate", description: "Documents in, typed answers out." };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
