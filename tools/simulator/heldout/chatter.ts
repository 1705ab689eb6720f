import type { Locale } from '../catalog.js';
import type { Rng } from '../prng.js';

/**
 * What people type in this model's rooms, written for it: honest chatter is
 * short, repetitive and emoji-heavy, so repetition alone never marks a script.
 */

const ZH_REACTIONS = [
  '来啦', '来了来了', '晚上好呀', '主播辛苦了', '好漂亮', '绝了', '爱了爱了', '哇', '哇哦', '哈哈哈', '笑死',
  '666', '6', '好', '冲冲冲', '等这个好久了', '终于等到了', '刚下班', '刚刷到', '路过看看', '关注了',
  '已关注', '点赞了', '❤️❤️', '💯', '🔥', '👏👏👏', '🌹🌹', '😍', '🤣', '好可爱', '声音好好听', '背景音乐叫什么',
  '主播今天好美', '灯光好看', '吃了吗', '上次的还没到', '物流好快', '客服回复慢', '蹲一个', '蹲',
];
const ZH_QUESTIONS = [
  '多少钱', '这个多少钱呀', '{n}号多少', '{n}号链接在哪', '能再讲一下{n}号吗', '有小样吗', '发什么快递', '几天发货',
  '能开发票吗', '保质期到什么时候', '是正品吗', '可以七天无理由吗', '有没有大码', '什么颜色好看', '送人合适吗',
  '学生党能买吗', '油皮能用吗', '孕妇可以吃吗', '会不会很甜', '分量多少', '一箱几个', '包邮吗', '偏远地区包邮吗',
  '有优惠券吗', '能不能再便宜点', '还有库存吗', '什么时候再上架', '拍了怎么没显示',
];
const ZH_AFTER_BUY = ['拍了', '已拍', '下单了', '抢到了！', '没抢到😭', '付款了', '手慢无', '拍了两单', '给我妈也买了', '第三次回购'];

const EN_REACTIONS = [
  'hi!', 'hello from texas', 'hey girl', 'love this', 'so pretty', 'omg', 'lol', 'wow', 'nice', 'cute!!', 'yesss',
  'just got here', 'what did i miss', 'love your energy', '❤️', '🔥🔥', '😍', '👏', 'obsessed', 'need this',
  'you look great', 'great show', 'following!', 'first time here', 'back again', 'the lighting is gorgeous',
];
const EN_QUESTIONS = [
  'how much?', 'price?', 'how much is #{n}', 'link for #{n}?', 'can you show #{n} again', 'does it ship to canada',
  'what sizes?', 'is it true to size', 'any discount codes?', 'how long is shipping', 'is it cruelty free',
  'does it come in black', 'can i return it', 'is this the same as last week', 'still in stock?',
];
const EN_AFTER_BUY = ['got it!', 'just ordered', 'bought 2', 'done ✅', 'missed it 😭', 'paid', 'ordered for my sister'];

export function reaction(rng: Rng, locale: Locale): string {
  return rng.pick(locale === 'zh' ? ZH_REACTIONS : EN_REACTIONS);
}

export function question(rng: Rng, locale: Locale, productNumber: number): string {
  return rng.pick(locale === 'zh' ? ZH_QUESTIONS : EN_QUESTIONS).replace('{n}', String(productNumber));
}

export function afterBuying(rng: Rng, locale: Locale): string {
  return rng.pick(locale === 'zh' ? ZH_AFTER_BUY : EN_AFTER_BUY);
}

/** An honest comment: mostly reactions, a good share of product questions. */
export function honestComment(rng: Rng, locale: Locale, productNumber: number): string {
  return rng.chance(0.35) ? question(rng, locale, productNumber) : reaction(rng, locale);
}

// ------------------------------------------------------------ honest crowd moments

/** Keywords a host asks the room to type to enter a giveaway draw. */
export const GIVEAWAY_KEYWORDS: Record<Locale, readonly string[]> = {
  zh: ['宝宝们冲福袋', '我要福袋', '抽我抽我', '福袋福袋', '想要同款'],
  en: ['GIVEAWAY', 'pick me!', 'I want it', 'enter me'],
};

export const CELEBRITY_CHEERS: Record<Locale, readonly string[]> = {
  zh: ['啊啊啊啊是本人', '哥哥！！', '我来看哥哥的', '真的是他', '救命好帅', '姐姐好美', '合影合影', '🥰🥰🥰', '冲着明星来的'],
  en: ['OMG ITS HER', 'no way!!', 'is that really him', 'queen 👑', 'came for the guest', 'screaming', '😱😱'],
};

export const CLASS_CHECK_IN: Record<Locale, readonly string[]> = {
  zh: ['打卡', '老师好', '到', '打卡打卡', '报到'],
  en: ['here', 'present', 'hi professor', 'checking in'],
};

export const OFFICE_CHEERS: Record<Locale, readonly string[]> = {
  zh: ['恭喜新品发布！', '支持！', '我们的新品🎉', '加油加油', '团队辛苦了', '必须支持', '产品部冲'],
  en: ['congrats on the launch!', 'so proud of the team', 'go team!', '🎉🎉', 'we did it', 'support!'],
};

export const FRIEND_HELLOS: Record<Locale, readonly string[]> = {
  zh: ['来了来了', '支持一下', '我们来啦', '给姐妹捧场', '宿舍全员到齐', '哈哈哈我来了'],
  en: ['we are here!', 'squad arrived', 'supporting my girl', 'hiii', 'came from the group chat'],
};
