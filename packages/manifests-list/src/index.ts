/**
 * Multi-platform manifest lists: build, edit, store and push them, as `buildah manifest` does, without
 * containers-storage.
 *
 * @packageDocumentation
 */
// store
export { checkListName } from './list-names.ts';
export {
  type CreateListOptions,
  type ListStore,
  type ListStoreOptions,
  openListStore,
  type StoredList,
} from './list-store.ts';
export { defaultListStoreRoot } from './list-store-root.ts';
// end store

// list value
export { type DescribeImageOptions, describeImage } from './describe-image.ts';
export type { InstanceChanges, ListChanges } from './list-changes.ts';
export type { SerializedList } from './list-serialize.ts';
export type { ListFormat, ListInstance, ListPlatform } from './list-types.ts';
export { ManifestList } from './manifest-list.ts';
export { samePlatform } from './platform-equality.ts';
// end list value

// push
export {
  type AddedInstances,
  type AddFromReferenceOptions,
  addFromReference,
  listFromReference,
} from './add-from-reference.ts';
export { ListImage, type ListSourceInit, originPolicy } from './list-source.ts';
export { type PushListOptions, type PushSelection, pushManifestList } from './push-list.ts';
// end push
