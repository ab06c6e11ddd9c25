/** FoSIP's version, shown by `show cube status` and in the Server header. */
export const VERSION = '0.1.0';
