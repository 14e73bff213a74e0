import { MockAnswer, MockTable, uuid } from "./context";

const provider: MockAnswer = (c) => {
  const { seed } = c;
  return { id: uuid(seed) };
};

export const PROVIDERS_OUTPUTS: MockTable = {
  "pulumi:providers:aws": provider,
  "pulumi:providers:kubernetes": provider,
};
