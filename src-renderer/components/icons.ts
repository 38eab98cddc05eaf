const circle = (cx: number, cy: number, r: number): string => `M${cx - r} ${cy}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`

/**
 * Stroke icons on a 24x24 grid, as SVG path data (no inline styles, so the CSP holds).
 * A feature that needs a new icon adds one entry here.
 */
export const ICONS = {
  home: ['M3 10.5 12 3l9 7.5', 'M5 9v11a1 1 0 0 0 1 1h4v-6h4v6h4a1 1 0 0 0 1-1V9'],
  settings: ['M4 6h8', 'M16 6h4', 'M4 12h2', 'M10 12h10', 'M4 18h10', 'M18 18h2', circle(14, 6, 2), circle(8, 12, 2), circle(16, 18, 2)],
  key: [circle(7.5, 15.5, 4.5), 'M10.7 12.3 20 3', 'M16.5 6.5l3 3', 'M14 9l2 2'],
  lock: ['M6 11h12a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1v-8a1 1 0 0 1 1-1z', 'M8 11V7a4 4 0 0 1 8 0v4'],
  unlock: ['M6 11h12a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1v-8a1 1 0 0 1 1-1z', 'M8 11V7a4 4 0 0 1 7.7-1.5'],
  user: [circle(12, 8, 4), 'M4 21a8 8 0 0 1 16 0'],
  chevronDown: ['M6 9l6 6 6-6'],
  chevronRight: ['M9 6l6 6-6 6'],
  plus: ['M12 5v14', 'M5 12h14'],
  more: [circle(12, 5, 1), circle(12, 12, 1), circle(12, 19, 1)],
  eye: ['M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12z', circle(12, 12, 3)],
  eyeOff: [
    'M3 3l18 18',
    'M10.6 5.1A10.7 10.7 0 0 1 12 5c6.5 0 10 7 10 7a17.6 17.6 0 0 1-3.2 4.2',
    'M6.6 6.6C3.8 8.4 2 12 2 12s3.5 7 10 7c1.8 0 3.4-.5 4.8-1.3',
    'M9.9 9.9a3 3 0 0 0 4.2 4.2',
  ],
  shield: ['M12 3 4 6v6c0 5 3.5 8 8 9 4.5-1 8-4 8-9V6z', 'M9 12l2 2 4-4'],
  alert: [circle(12, 12, 9), 'M12 8v4', 'M12 16h.01'],
  check: ['M5 12l5 5L20 7'],
  info: [circle(12, 12, 9), 'M12 11v5', 'M12 8h.01'],
  clock: [circle(12, 12, 9), 'M12 7v5l3 2'],
  device: ['M4 5h16v11H4z', 'M2 19h20'],
  phone: ['M8 2h8a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z', 'M11 18h2'],
  browser: ['M4 4h16a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z', 'M3 9h18', 'M6.5 6.5h.01', 'M9.5 6.5h.01'],
  close: ['M6 6l12 12', 'M18 6 6 18'],
  download: ['M12 4v11', 'M7 10l5 5 5-5', 'M5 20h14'],
  copy: ['M9 9h10a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H9a1 1 0 0 1-1-1V10a1 1 0 0 1 1-1z', 'M5 15H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1h10a1 1 0 0 1 1 1v1'],
  trash: ['M4 7h16', 'M10 11v6', 'M14 11v6', 'M6 7l1 13a1 1 0 0 0 1 1h8a1 1 0 0 0 1-1l1-13', 'M9 7V4h6v3'],
  arrowLeft: ['M19 12H5', 'M11 6l-6 6 6 6'],
  search: [circle(11, 11, 7), 'M20 20l-4-4'],
  edit: ['M4 20h4L19 9a2.8 2.8 0 0 0-4-4L4 16z', 'M14 6l4 4'],
  activity: ['M3 12h4l3-8 4 16 3-8h4'],
} as const satisfies Record<string, readonly string[]>

export type IconName = keyof typeof ICONS
