// The message texts by template and locale. A template that does not exist is a bug in the
// requesting service: NonRetryableError, straight to the dead letter.
type Variables = Record<string, unknown>;
type Locale = "en" | "de" | "fr";

const TEMPLATES: Record<string, Record<Locale, (v: Variables) => string>> = {
  "order-shipped": {
    en: (v) => `Your order ${v.orderId} is on its way with ${v.carrier}.`,
    de: (v) => `Ihre Bestellung ${v.orderId} ist mit ${v.carrier} unterwegs.`,
    fr: (v) => `Votre commande ${v.orderId} est en route avec ${v.carrier}.`,
  },
  "password-reset": {
    en: (v) => `Reset your password: ${v.resetUrl}`,
    de: (v) => `Passwort zurücksetzen: ${v.resetUrl}`,
    fr: (v) => `Réinitialisez votre mot de passe : ${v.resetUrl}`,
  },
};

export function render(
  template: string,
  locale: Locale,
  variables: Variables = {},
): string | undefined {
  return TEMPLATES[template]?.[locale](variables);
}
