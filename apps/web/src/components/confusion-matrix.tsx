/** Rows are true labels, columns predictions; cell shade is the share of the row. */
export function ConfusionMatrix({ labels, matrix }: { labels: string[]; matrix: number[][] }) {
  return (
    <div className="mt-3 overflow-x-auto">
      <table className="text-xs">
        <thead>
          <tr>
            <th className="px-2 py-1 text-left text-slate-500">true ↓ / predicted →</th>
            {labels.map((l) => <th key={l} className="px-2 py-1 font-medium text-slate-600" scope="col">{l}</th>)}
          </tr>
        </thead>
        <tbody>
          {matrix.map((row, i) => {
            const total = row.reduce((a, b) => a + b, 0) || 1;
            return (
              <tr key={labels[i]}>
                <th scope="row" className="px-2 py-1 text-left font-medium text-slate-600">{labels[i]}</th>
                {row.map((count, j) => {
                  const share = count / total;
                  return (
                    <td key={j} title={`${count} of ${total}`}
                      className={`px-2 py-1 text-center tabular-nums ${i === j ? "font-semibold" : ""}`}
                      style={{ backgroundColor: `rgba(${i === j ? "79,70,229" : "220,38,38"}, ${count ? 0.08 + share * 0.6 : 0})` }}>
                      {count}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
