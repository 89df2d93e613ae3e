import { mount } from '../../lib/ui/mount';
import { App } from './App';
import './display.css';

mount('display', App);
