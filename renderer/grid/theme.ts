import { themeQuartz } from 'ag-grid-community';

// Dense, calm, legible: system font, 32px rows, hairline borders, one accent.
export const FONT_STACK = '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

export const gridTheme = themeQuartz.withParams({
  fontFamily: FONT_STACK,
  fontSize: 13,
  headerFontSize: 12,
  headerFontWeight: 600,
  headerTextColor: '#4a5568',
  headerBackgroundColor: '#f6f7f9',
  foregroundColor: '#1f2733',
  backgroundColor: '#ffffff',
  borderColor: '#e3e6eb',
  accentColor: '#1d5fbf',
  selectedRowBackgroundColor: '#e8f0fc',
  rowHoverColor: '#f3f6fa',
  oddRowBackgroundColor: '#ffffff',
  rowHeight: 32,
  headerHeight: 34,
  spacing: 6,
  cellHorizontalPadding: 10,
  wrapperBorder: false,
  wrapperBorderRadius: 0,
  columnBorder: false,
  headerColumnBorder: { color: '#e3e6eb' },
  browserColorScheme: 'light',
  checkboxBorderRadius: 3,
});
