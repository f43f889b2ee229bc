"use client";

import { useSyncExternalStore, type ComponentProps } from "react";
import { Button } from "./ui";

const noSubscription = () => () => undefined;

/**
 * A form's submit button that stays disabled until React has hydrated the page. Before that, a click would make
 * the browser submit the form natively (a GET with the fields in the URL) instead of running its onSubmit handler.
 */
export function SubmitButton({ disabled, ...props }: Omit<ComponentProps<typeof Button>, "type">) {
  const hydrated = useSyncExternalStore(noSubscription, () => true, () => false);
  return <Button type="submit" disabled={!hydrated || disabled} {...props} />;
}
