import { JobLive } from "~/components/job-live";

export const metadata = { title: "Job · Docgate" };

export default async function JobPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <JobLive id={id} />;
}
