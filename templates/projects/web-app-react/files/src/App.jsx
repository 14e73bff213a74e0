const API_URL = "{{api_url}}";

export default function App() {
  return (
    <main>
      <h1>{{project_name}}</h1>
      <p>API: {API_URL || "not configured"}</p>
    </main>
  );
}
