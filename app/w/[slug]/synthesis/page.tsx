import { SynthesisHome } from "./synthesis-home";

export default function SynthesisPage() {
  return <SynthesisHome />;
}
