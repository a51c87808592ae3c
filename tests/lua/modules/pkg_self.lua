-- A module that stores its own value in package.loaded.
package.loaded[...] = "stored by the module"
