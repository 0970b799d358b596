/** Which phone a requested file name is for (the provisioning server's first step). */

/** Per-phone file names of every vendor; the group is the MAC, in any case. */
const PER_PHONE = [
  /^([0-9a-f]{12})\.cfg$/i, // Yealink <mac>.cfg, Poly master <mac>.cfg
  /^([0-9a-f]{12})\.boot$/i, // Yealink <mac>.boot
  /^([0-9a-f]{12})-hermes\.cfg$/i, // Poly config file
  /^snom[a-z0-9]+-([0-9a-f]{12})\.htm$/i, // Snom snom<model>-<MAC>.htm
  /^([0-9a-f]{12})\.xml$/i, // Snom <MAC>.xml
  /^cfg([0-9a-f]{12})\.xml$/i, // Grandstream cfg<mac>.xml
];

/** The MAC in generic names (Poly's default master 000000000000.cfg): no phone's. */
const NO_PHONE = '000000000000';

/**
 * The MAC (12 lower-case hex digits) a requested file name names, or undefined for a name no
 * vendor's per-phone file has (and for 000000000000, the MAC of no phone). The phone's
 * renderer.render(phone, name) then decides whether the name is one of that phone's files.
 */
export function macOfFileName(name: string): string | undefined {
  for (const pattern of PER_PHONE) {
    const m = pattern.exec(name);
    if (m) return m[1] === NO_PHONE ? undefined : m[1].toLowerCase();
  }
  return undefined;
}
